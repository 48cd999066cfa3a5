// GET /models/<id>: one model version (or a lineage's latest), modest and complete.

import { gql, ApiError } from './api.js';
import {
  el,
  fmtNum,
  fmtScore,
  fmtCount,
  fmtDate,
  fmtJson,
  familyLabel,
  versionLabel,
  modelHref,
  compareHref,
  catalogHref,
  scoreView,
  showError,
  kindChip,
} from './ui.js';

const REF = 'id lineageId versionNumber isLatest title';

const MODEL_QUERY = `query Model($id: ID!) {
  model(id: $id) {
    id lineageId versionNumber isLatest title description createdAt metadata
    family architecture parameterCount trainingConfig qualityScore rawQualityScore
    evaluationMetrics { name value better }
    provenance { complete warnings { code message } }
    trainedOn { ${REF} }
    producedBy {
      ${REF}
      inputs { pinned pinnedVersion artifact { id kind lineageId versionNumber title } }
    }
    testsHypotheses { ${REF} }
    derivedFrom { ${REF} }
    versions {
      id versionNumber isLatest title createdAt qualityScore rawQualityScore
      provenance { complete warnings { code message } }
    }
  }
}`;

const $ = (id) => document.getElementById(id);

function modelIdFromPath(pathname) {
  const rest = pathname.replace(/^\/models\//, '').replace(/\/+$/, '');
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** Nested objects as dotted keys, as compareModels shows them. */
function flatten(config, prefix = '', out = {}) {
  for (const [key, value] of Object.entries(config || {})) {
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
      flatten(value, `${prefix}${key}.`, out);
    } else {
      out[`${prefix}${key}`] = value;
    }
  }
  return out;
}

function panel(id, title, ...children) {
  return el(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title` }, title),
    children,
  );
}

function keyValueTable(id, caption, entries, emptyText) {
  if (!entries.length) return el('p', { class: 'muted' }, emptyText);
  return el(
    'table',
    { class: 'data', id },
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el('tr', {}, el('th', { scope: 'col' }, 'Key'), el('th', { scope: 'col' }, 'Value')),
    ),
    el(
      'tbody',
      {},
      entries.map(([k, v]) =>
        el(
          'tr',
          { 'data-key': k },
          el('th', { scope: 'row' }, el('code', {}, k)),
          el('td', {}, fmtJson(v)),
        ),
      ),
    ),
  );
}

function refItem(a, href, extra) {
  return el(
    'li',
    { 'data-id': a.id },
    el('a', { href }, el('code', {}, versionLabel(a))),
    ' ',
    a.title,
    a.isLatest === false ? el('span', { class: 'muted small' }, ' (not the latest version)') : null,
    extra || null,
  );
}

function render(m, askedId) {
  document.title = `${m.title} (${m.id}) · Model registry`;
  $('page-title').textContent = m.title;
  const versions = m.versions;
  const previous = versions.filter((v) => v.versionNumber < m.versionNumber).at(-1);
  const latest = versions.find((v) => v.isLatest);
  const lastTen = versions.slice(-10).map((v) => v.id);

  const head = el(
    'div',
    { class: 'model-head' },
    el(
      'div',
      {},
      el(
        'ul',
        { class: 'facts' },
        el('li', {}, el('code', { id: 'model-id' }, m.id)),
        el(
          'li',
          {},
          el('code', {}, versionLabel(m)),
          ' ',
          m.isLatest ? el('span', { class: 'badge' }, 'latest') : null,
        ),
        el('li', {}, familyLabel(m.family)),
        m.architecture ? el('li', {}, m.architecture) : null,
        el('li', { title: String(m.parameterCount) }, `${fmtCount(m.parameterCount)} parameters`),
        el(
          'li',
          { class: 'muted' },
          'registered ',
          el('time', { datetime: m.createdAt }, fmtDate(m.createdAt)),
        ),
      ),
      askedId !== m.id
        ? el(
            'p',
            { class: 'note' },
            'You opened the lineage ',
            el('code', {}, askedId),
            '; this is its latest version. ',
            el('a', { href: modelHref(m.id) }, 'Link to this version'),
            '.',
          )
        : null,
      !m.isLatest && latest
        ? el(
            'p',
            { class: 'note' },
            'A newer version exists: ',
            el('a', { href: modelHref(latest.id) }, el('code', {}, latest.id)),
            '.',
          )
        : null,
      m.description ? el('p', {}, m.description) : null,
      el(
        'p',
        { class: 'toolbar' },
        previous
          ? el(
              'a',
              { class: 'button', href: compareHref([previous.id, m.id]), id: 'compare-previous' },
              `Compare with @${previous.versionNumber}`,
            )
          : null,
        versions.length > 2
          ? el(
              'a',
              { class: 'button', href: compareHref(lastTen) },
              `Compare ${lastTen.length === versions.length ? 'all' : 'the last'} ${lastTen.length} versions`,
            )
          : null,
      ),
    ),
    el(
      'div',
      { class: 'score-panel', id: 'score-panel' },
      el('div', { class: 'muted small' }, 'Effective quality score'),
      scoreView(m, { long: true }),
      el(
        'div',
        { class: 'small muted' },
        `raw score ${fmtScore(m.rawQualityScore)}; any provenance warning caps the effective score at 0.30`,
      ),
    ),
  );

  const metricsTable = m.evaluationMetrics.length
    ? el(
        'table',
        { class: 'data', id: 'metrics-table' },
        el('caption', {}, 'Evaluation metrics, as registered'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Metric'),
            el('th', { scope: 'col', class: 'num' }, 'Value'),
            el('th', { scope: 'col' }, 'Better'),
          ),
        ),
        el(
          'tbody',
          {},
          m.evaluationMetrics.map((x) =>
            el(
              'tr',
              { 'data-metric': x.name },
              el('th', { scope: 'row' }, el('code', {}, x.name)),
              el('td', { class: 'num', title: String(x.value) }, fmtNum(x.value)),
              el('td', {}, x.better === 'LOWER' ? '↓ lower' : '↑ higher'),
            ),
          ),
        ),
      )
    : el('p', { class: 'muted' }, 'No evaluation metrics were registered.');

  const config = keyValueTable(
    'config-table',
    'Training configuration as dotted keys',
    Object.entries(flatten(m.trainingConfig)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    'No training configuration was registered.',
  );
  const metadata = keyValueTable(
    'metadata-table',
    'Free-form metadata',
    Object.entries(m.metadata || {}),
    'No metadata.',
  );

  const analysis = m.producedBy;
  const provenance = panel(
    'provenance',
    'Provenance',
    el(
      'div',
      { class: 'two-col' },
      el(
        'div',
        {},
        el('h3', {}, 'Trained on'),
        m.trainedOn.length
          ? el(
              'ul',
              { class: 'links-list', id: 'trained-on' },
              m.trainedOn.map((d) =>
                refItem(
                  d,
                  catalogHref({ dataset: d.id }),
                  el('span', { class: 'muted small' }, ' · models trained on it'),
                ),
              ),
            )
          : el('p', { class: 'missing' }, 'No training dataset is linked.'),
        el('h3', {}, 'Tests hypotheses'),
        m.testsHypotheses.length
          ? el(
              'ul',
              { class: 'links-list', id: 'hypotheses' },
              m.testsHypotheses.map((h) => refItem(h, catalogHref({ hypothesis: h.id }))),
            )
          : el('p', { class: 'missing' }, 'No hypothesis is linked.'),
        m.derivedFrom.length
          ? [
              el('h3', {}, 'Derived from'),
              el(
                'ul',
                { class: 'links-list', id: 'derived-from' },
                m.derivedFrom.map((d) => refItem(d, modelHref(d.id))),
              ),
            ]
          : null,
      ),
      el(
        'div',
        { id: 'produced-by' },
        el('h3', {}, 'Produced by'),
        analysis
          ? [
              el(
                'p',
                {},
                kindChip('ANALYSIS'),
                ' ',
                el('code', {}, versionLabel(analysis)),
                ' ',
                analysis.title,
              ),
              el(
                'ul',
                { class: 'links-list' },
                analysis.inputs.map((input) => {
                  const a = input.artifact;
                  if (!a) return el('li', { class: 'missing' }, 'an input that no longer resolves');
                  const href =
                    a.kind === 'MODEL'
                      ? modelHref(a.id)
                      : a.kind === 'DATASET'
                        ? catalogHref({ dataset: a.id })
                        : null;
                  return el(
                    'li',
                    {},
                    kindChip(a.kind),
                    ' uses ',
                    href
                      ? el('a', { href }, el('code', {}, versionLabel(a)))
                      : el('code', {}, versionLabel(a)),
                    ' ',
                    input.pinned
                      ? el('span', { class: 'muted small' }, '(pinned)')
                      : el('span', { class: 'flag' }, 'floating: follows the latest version'),
                  );
                }),
              ),
            ]
          : el('p', { class: 'missing' }, 'No producing analysis is linked.'),
      ),
    ),
  );

  const versionsTable = el(
    'table',
    { class: 'data', id: 'versions-table' },
    el('caption', {}, `Every version of ${m.lineageId}, oldest first`),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Version'),
        el('th', { scope: 'col' }, 'Title'),
        el('th', { scope: 'col', class: 'num' }, 'Quality score'),
        el('th', { scope: 'col' }, 'Registered'),
      ),
    ),
    el(
      'tbody',
      {},
      versions.map((v) =>
        el(
          'tr',
          {
            class: v.id === m.id ? 'current' : null,
            'aria-current': v.id === m.id ? 'true' : null,
            'data-model-id': v.id,
          },
          el(
            'th',
            { scope: 'row' },
            el('a', { href: modelHref(v.id) }, el('code', {}, `@${v.versionNumber}`)),
            v.isLatest ? [' ', el('span', { class: 'badge' }, 'latest')] : null,
          ),
          el(
            'td',
            {},
            v.id === m.id ? el('strong', {}, v.title) : v.title,
            el('span', { class: 'sub' }, v.id),
          ),
          el('td', { class: 'num' }, scoreView(v)),
          el('td', { class: 'small' }, fmtDate(v.createdAt)),
        ),
      ),
    ),
  );

  $('content').replaceChildren(
    head,
    el(
      'div',
      { class: 'two-col' },
      panel('metrics', 'Evaluation metrics', metricsTable),
      panel('config', 'Training configuration', config),
    ),
    provenance,
    panel('versions', 'Versions', versionsTable),
    panel('metadata', 'Metadata', metadata),
  );
  $('content').hidden = false;
}

async function main() {
  const id = modelIdFromPath(location.pathname);
  try {
    const data = await gql(MODEL_QUERY, { id });
    $('status').hidden = true;
    if (!data.model) {
      $('page-title').textContent = 'Model not found';
      document.title = 'Model not found · Model registry';
      showError(
        $('error'),
        'No such model',
        ['No model has the id ', el('code', {}, id), '.'],
        el('a', { class: 'button', href: '/models' }, 'Browse the catalog'),
      );
      document.body.dataset.state = 'error';
      return;
    }
    render(data.model, id);
    document.body.dataset.state = 'ready';
  } catch (err) {
    $('status').hidden = true;
    const title =
      err instanceof ApiError
        ? 'The model could not be loaded'
        : 'This page could not show the model';
    showError(
      $('error'),
      title,
      err.message,
      el('button', { type: 'button', onclick: () => location.reload() }, 'Try again'),
    );
    document.body.dataset.state = 'error';
  }
}

main();
