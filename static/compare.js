// GET /models/compare?ids=a,b[,c...]: compareModels rendered for 2 to 10 model versions.

import { gql, ApiError } from './api.js';
import {
  el,
  svg,
  srOnly,
  letter,
  fmtNum,
  fmtDelta,
  fmtScore,
  fmtDate,
  fmtJson,
  familyLabel,
  versionLabel,
  modelHref,
  compareHref,
  catalogHref,
  scoreView,
  showError,
  download,
  csvField,
} from './ui.js';
import { renderDag, dagLegend } from './dag.js';

const MIN_MODELS = 2;
const MAX_MODELS = 10;

const ARTIFACT = 'id kind lineageId versionNumber isLatest title';
const DATASET = 'id lineageId versionNumber isLatest title';

export const COMPARE_QUERY = `query Compare($ids: [ID!]!) {
  compareModels(ids: $ids) {
    models {
      id lineageId versionNumber isLatest title description family architecture
      parameterCount createdAt qualityScore rawQualityScore
      provenance { complete warnings { code message } }
    }
    metrics { name better bestModelIds cells { modelId value delta best } }
    metadata { key differs cells { modelId present value } }
    trainingConfig { key differs cells { modelId present value } }
    trainingData {
      sharedSameVersion { ${DATASET} }
      sameLineageDifferentVersions { lineageId uses { modelId dataset { ${DATASET} } } }
      uniqueToModel { modelId datasets { ${DATASET} } }
    }
    provenance {
      dags {
        modelId
        nodes { id sharedByAll artifact { ${ARTIFACT} } }
        edges { source target type pinned }
      }
      sharedAncestorIds
      uniqueAncestors { modelId ancestorIds }
    }
  }
}`;

const METADATA_LABELS = {
  family: 'Family',
  architecture: 'Architecture',
  parameter_count: 'Parameters',
  version_number: 'Version',
  created_at: 'Registered',
  raw_quality_score: 'Raw quality score',
  quality_score: 'Effective quality score',
};

const $ = (id) => document.getElementById(id);

/** Ids from ?ids=a,b and/or ?ids=a&ids=b: trimmed, empty ones dropped, duplicates removed. */
export function parseIds(search) {
  const params = new URLSearchParams(search);
  const ids = params
    .getAll('ids')
    .flatMap((v) => v.split(/[\s,]+/))
    .map((v) => v.trim())
    .filter(Boolean);
  return [...new Set(ids)];
}

function finish() {
  $('status').hidden = true;
  $('status').textContent = '';
}

function catalogLink() {
  return el('a', { class: 'button', href: '/models' }, 'Pick models in the catalog');
}

function exampleLink() {
  return el(
    'a',
    {
      class: 'button',
      href: compareHref(['model-biophys-microglia-v2', 'model-biophys-microglia-v3']),
    },
    'Example: two versions of the microglia ODE',
  );
}

function renderApiError(err, ids) {
  finish();
  const box = $('error');
  if (err instanceof ApiError && err.kind === 'graphql' && err.code === 'NOT_FOUND') {
    const missing = err.ids.length ? err.ids : [];
    const rest = ids.filter((id) => !missing.includes(id));
    showError(
      box,
      missing.length === 1 ? 'Unknown model id' : 'Unknown model ids',
      missing.length
        ? [
            'No model has the id ',
            missing.map((m, i) => [i ? ', ' : '', el('code', { class: 'missing-id' }, m)]),
            '. Check the spelling, or pick the models in the catalog. ',
            el('span', { class: 'muted' }, `(The server said: ${err.message})`),
          ]
        : err.message,
      rest.length >= MIN_MODELS
        ? el(
            'a',
            { class: 'button', href: compareHref(rest) },
            `Compare the ${rest.length} that exist`,
          )
        : null,
      catalogLink(),
    );
  } else if (err instanceof ApiError && err.kind === 'graphql' && err.code === 'BAD_USER_INPUT') {
    showError(box, 'These models cannot be compared', err.message, catalogLink());
  } else if (!(err instanceof ApiError)) {
    showError(
      box,
      'This page could not show the comparison',
      String(err && err.message ? err.message : err),
      catalogLink(),
    );
  } else if (err.kind === 'graphql') {
    showError(box, 'The comparison failed', err.message, catalogLink());
  } else {
    showError(
      box,
      'The server could not answer',
      [
        err.message,
        ' Nothing is shown rather than a partial comparison. Try again in a moment; if it keeps failing, the registry may be down (see ',
        el('a', { href: '/readyz' }, '/readyz'),
        ').',
      ],
      el('button', { type: 'button', onclick: () => location.reload() }, 'Try again'),
      catalogLink(),
    );
  }
  document.title = 'Comparison failed · Model registry';
}

// ----------------------------------------------------------------------------- sections

function modelColumnHead(model, i) {
  return el(
    'th',
    { scope: 'col', 'data-model-id': model.id },
    el(
      'span',
      { class: 'col-head' },
      el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
      el(
        'span',
        { title: model.title },
        el('span', { class: 't' }, model.title),
        el('span', { class: 'mono' }, model.id),
      ),
    ),
  );
}

function section(id, title, ...children) {
  return el(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    el('div', { class: 'section-head' }, el('h2', { id: `${id}-title` }, title)),
    children,
  );
}

function renderCards(cmp, requested) {
  const models = cmp.models;
  return section(
    'models',
    `Models (${models.length})`,
    el(
      'div',
      { class: 'cards' },
      models.map((m, i) => {
        const others = models.filter((o) => o.id !== m.id).map((o) => o.id);
        const asked = requested.find((r) => r !== m.id && r === m.lineageId);
        return el(
          'article',
          { class: 'card', 'data-model-id': m.id, 'aria-labelledby': `card-${i}` },
          el(
            'h3',
            { id: `card-${i}` },
            el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
            el('a', { href: modelHref(m.id) }, m.title),
          ),
          el(
            'dl',
            {},
            el('dt', {}, 'Version'),
            el(
              'dd',
              {},
              el('code', {}, versionLabel(m)),
              ' ',
              m.isLatest ? el('span', { class: 'badge' }, 'latest') : null,
            ),
            el('dt', {}, 'Id'),
            el('dd', {}, el('code', {}, m.id)),
            el('dt', {}, 'Family'),
            el('dd', {}, familyLabel(m.family)),
            el('dt', {}, 'Quality'),
            el('dd', { class: 'card-score' }, scoreView(m, { long: true })),
          ),
          asked
            ? el(
                'p',
                { class: 'note' },
                'Asked for the lineage ',
                el('code', {}, asked),
                ': its latest version today. The permalink pins this version.',
              )
            : null,
          el(
            'p',
            { class: 'card-links' },
            el('a', { href: modelHref(m.id) }, 'Details'),
            others.length >= MIN_MODELS
              ? el(
                  'a',
                  { href: compareHref(others), 'aria-label': `Remove ${m.id} from the comparison` },
                  'Remove',
                )
              : null,
          ),
        );
      }),
    ),
  );
}

/** A one-row dot chart: the better end is always on the right. */
function dotPlot(row, models) {
  const W = 190;
  const H = 34;
  const pad = 14;
  const present = row.cells.filter((c) => c.value !== null);
  const values = present.map((c) => c.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const x = (v) => {
    if (max === min) return W / 2;
    const t = (v - min) / (max - min);
    return pad + (row.better === 'LOWER' ? 1 - t : t) * (W - 2 * pad);
  };
  const index = new Map(models.map((m, i) => [m.id, i]));
  const groups = new Map();
  for (const c of present) {
    const key = Math.round(x(c.value));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  const described = row.cells
    .map((c) => `${letter(index.get(c.modelId))} ${c.value === null ? 'missing' : fmtNum(c.value)}`)
    .join(', ');
  const dir = row.better === 'LOWER' ? 'lower is better' : 'higher is better';
  return svg(
    'svg',
    {
      class: 'dotplot',
      width: W,
      height: H,
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': `${row.name}: ${described}; ${dir}; better values to the right`,
    },
    svg('line', { x1: pad, x2: W - pad, y1: 24, y2: 24, stroke: '#d1d9e0', 'stroke-width': 2 }),
    [...groups.entries()].map(([gx, cells]) => {
      const best = cells.some((c) => c.best);
      return svg(
        'g',
        {},
        svg('circle', {
          cx: gx,
          cy: 24,
          r: 5,
          fill: best ? '#1a7f37' : '#8c959f',
          stroke: '#fff',
          'stroke-width': 1.5,
        }),
        svg(
          'text',
          { x: gx, y: 12, 'text-anchor': 'middle' },
          cells.map((c) => letter(index.get(c.modelId))).join(','),
        ),
      );
    }),
  );
}

function renderMetrics(cmp) {
  const models = cmp.models;
  if (!cmp.metrics.length) {
    return section(
      'metrics',
      'Evaluation metrics',
      el('p', { class: 'muted' }, 'No model reports evaluation metrics.'),
    );
  }
  const table = el(
    'table',
    { class: 'data metrics-table', id: 'metrics-table' },
    el(
      'caption',
      {},
      '★ marks the best value of each metric (ties share it). The small line under a value is its difference from model A. — means the model does not report that metric. Values are rounded to 4 significant digits; hover for the exact value (the exports have it too).',
    ),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Metric'),
        models.map(modelColumnHead),
        el('th', { scope: 'col' }, 'Spread ', el('span', { class: 'muted small' }, '(better →)')),
      ),
    ),
    el(
      'tbody',
      {},
      cmp.metrics.map((row) =>
        el(
          'tr',
          { 'data-metric': row.name },
          el(
            'th',
            { scope: 'row' },
            el('code', {}, row.name),
            el(
              'span',
              { class: 'direction' },
              row.better === 'LOWER' ? '↓ lower is better' : '↑ higher is better',
            ),
          ),
          row.cells.map((c, i) => {
            if (c.value === null) {
              return el(
                'td',
                { class: 'num', 'data-model-id': c.modelId, 'data-missing': 'true' },
                el('span', { class: 'missing', 'aria-hidden': 'true' }, '—'),
                srOnly('not reported'),
              );
            }
            const delta =
              i === 0 ? 'baseline' : c.delta === null ? 'A has none' : `${fmtDelta(c.delta)} vs A`;
            return el(
              'td',
              {
                class: ['num', c.best && 'best'],
                'data-model-id': c.modelId,
                'data-best': String(c.best),
                title: String(c.value),
              },
              c.best
                ? [el('span', { class: 'best-mark', 'aria-hidden': 'true' }, '★'), srOnly('best: ')]
                : null,
              fmtNum(c.value),
              el('span', { class: 'delta' }, delta),
            );
          }),
          el('td', { class: 'chart' }, dotPlot(row, models)),
        ),
      ),
    ),
  );
  return section('metrics', 'Evaluation metrics', el('div', { class: 'table-scroll' }, table));
}

function diffCell(cell, format) {
  if (!cell.present) {
    return el(
      'td',
      { 'data-model-id': cell.modelId, 'data-missing': 'true' },
      el('span', { class: 'missing' }, '(missing)'),
    );
  }
  if (cell.value === '') {
    return el('td', { 'data-model-id': cell.modelId }, el('span', { class: 'missing' }, '(empty)'));
  }
  return el('td', { 'data-model-id': cell.modelId }, format(cell.value));
}

function diffTable(id, rows, models, captionText, keyView, format) {
  return el(
    'table',
    { class: 'data diff-table', id },
    el('caption', {}, captionText),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Key'), models.map(modelColumnHead))),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {
            class: row.differs ? 'differs' : null,
            'data-key': row.key,
            'data-differs': String(row.differs),
          },
          el(
            'th',
            { scope: 'row' },
            keyView(row.key),
            row.differs
              ? [
                  el('span', { class: 'differs-mark', 'aria-hidden': 'true' }, '≠'),
                  srOnly(' (differs)'),
                ]
              : null,
          ),
          row.cells.map((c) => diffCell(c, (v) => format(row.key, v))),
        ),
      ),
    ),
  );
}

function renderConfig(cmp) {
  const rows = cmp.trainingConfig;
  if (!rows.length) {
    return section(
      'config',
      'Training configuration',
      el('p', { class: 'muted' }, 'No model records a training configuration.'),
    );
  }
  const differing = rows.filter((r) => r.differs).length;
  const toggle = el('input', { type: 'checkbox', id: 'only-differences', checked: true });
  const count = el('span', { id: 'config-count', class: 'muted small', 'aria-live': 'polite' });
  const allSame = el(
    'p',
    { id: 'config-all-same', class: 'note', hidden: true },
    `All ${rows.length} keys have the same value in every model.`,
  );
  const table = diffTable(
    'config-table',
    rows,
    cmp.models,
    'Training configuration as dotted keys. Highlighted rows (≠) differ between models; (missing) means the model has no such key.',
    (key) => el('code', {}, key),
    (_key, v) => (typeof v === 'string' ? v : el('code', {}, fmtJson(v))),
  );
  const apply = () => {
    const only = toggle.checked;
    for (const tr of table.tBodies[0].rows) tr.hidden = only && tr.dataset.differs !== 'true';
    count.textContent = only
      ? `Showing the ${differing} of ${rows.length} keys that differ.`
      : `Showing all ${rows.length} keys; ${differing} differ.`;
    allSame.hidden = !(only && differing === 0);
  };
  toggle.addEventListener('change', apply);
  apply();
  const head = el(
    'div',
    { class: 'section-head' },
    el('h2', { id: 'config-title' }, 'Training configuration'),
    el(
      'div',
      { class: 'toolbar' },
      count,
      el('label', { class: 'toggle', for: 'only-differences' }, toggle, 'Show only differences'),
    ),
  );
  return el(
    'section',
    { id: 'config', class: 'panel', 'aria-labelledby': 'config-title' },
    head,
    allSame,
    el('div', { class: 'table-scroll' }, table),
  );
}

function formatMetadata(key, value) {
  if (value === null || value === undefined) return el('span', { class: 'missing' }, 'null');
  switch (key) {
    case 'family':
      return familyLabel(value);
    case 'created_at':
      return el('time', { datetime: value, title: value }, fmtDate(value));
    case 'raw_quality_score':
    case 'quality_score':
      return fmtScore(value);
    case 'version_number':
      return `@${value}`;
    case 'parameter_count':
      return el('span', { title: String(value) }, fmtNum(value));
    default:
      return fmtJson(value);
  }
}

function renderMetadata(cmp) {
  const table = diffTable(
    'metadata-table',
    cmp.metadata,
    cmp.models,
    'Recorded attributes of each version. Highlighted rows (≠) differ between models.',
    (key) => el('span', { title: key }, METADATA_LABELS[key] || key),
    formatMetadata,
  );
  return section('metadata', 'Metadata', el('div', { class: 'table-scroll' }, table));
}

function datasetItem(d) {
  return el(
    'li',
    { 'data-dataset-id': d.id },
    el('a', { href: catalogHref({ dataset: d.id }) }, el('code', {}, versionLabel(d))),
    ' ',
    el('span', { class: 'muted' }, d.title),
  );
}

function renderInputs(cmp) {
  const models = cmp.models;
  const index = new Map(models.map((m, i) => [m.id, i]));
  const data = cmp.trainingData;

  const shared = el(
    'div',
    { class: 'input-group', 'data-group': 'shared' },
    el('h3', {}, 'Shared, at the same version'),
    data.sharedSameVersion.length
      ? el('ul', {}, data.sharedSameVersion.map(datasetItem))
      : el('p', { class: 'empty' }, 'No dataset version is shared by every model.'),
  );

  const splits = data.sameLineageDifferentVersions;
  const split = el(
    'div',
    { class: 'input-group', 'data-group': 'split' },
    el('h3', {}, 'Same dataset, different versions'),
    splits.length
      ? el(
          'div',
          { class: 'table-scroll' },
          el(
            'table',
            { class: 'data' },
            el('caption', {}, 'Which version of the dataset each model was trained on.'),
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el('th', { scope: 'col' }, 'Dataset'),
                models.map((m, i) =>
                  el(
                    'th',
                    { scope: 'col', 'data-model-id': m.id, title: m.id },
                    el('span', { class: 'letter' }, letter(i)),
                  ),
                ),
              ),
            ),
            el(
              'tbody',
              {},
              splits.map((s) =>
                el(
                  'tr',
                  { 'data-lineage-id': s.lineageId },
                  el('th', { scope: 'row' }, el('code', {}, s.lineageId)),
                  models.map((m) => {
                    const uses = s.uses.filter((u) => u.modelId === m.id);
                    return el(
                      'td',
                      { 'data-model-id': m.id },
                      uses.length
                        ? uses.map((u) =>
                            el(
                              'span',
                              { 'data-dataset-id': u.dataset.id, title: u.dataset.title },
                              el('code', {}, `@${u.dataset.versionNumber}`),
                              ' ',
                            ),
                          )
                        : el('span', { class: 'missing' }, 'not used'),
                    );
                  }),
                ),
              ),
            ),
          ),
        )
      : el('p', { class: 'empty' }, 'No dataset is used at different versions.'),
  );

  const unique = el(
    'div',
    { class: 'input-group', 'data-group': 'unique' },
    el('h3', {}, 'Unique to one model'),
    data.uniqueToModel.map((u) =>
      el(
        'div',
        { 'data-model-id': u.modelId },
        el(
          'p',
          { class: 'small' },
          el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(index.get(u.modelId))),
          ' ',
          el('code', {}, u.modelId),
        ),
        u.datasets.length
          ? el('ul', {}, u.datasets.map(datasetItem))
          : el('p', { class: 'empty' }, 'none'),
      ),
    ),
  );

  return section(
    'inputs',
    'Training data',
    el(
      'p',
      { class: 'note' },
      'The dataset versions each model was trained on (trained_on links), grouped by overlap.',
    ),
    el('div', { class: 'input-groups' }, shared, split, unique),
  );
}

function renderProvenance(cmp) {
  const models = cmp.models;
  if (!window.dagre || typeof window.dagre.layout !== 'function') {
    return section(
      'provenance',
      'Provenance',
      el(
        'p',
        { class: 'error-panel', role: 'alert' },
        'The graph layout library (/static/vendor/dagre-1.1.8.min.js) did not load, so the provenance graphs cannot be drawn. The rest of the comparison is complete; the JSON export has the graphs.',
      ),
    );
  }
  const labels = new Map();
  for (const dag of cmp.provenance.dags)
    for (const n of dag.nodes) labels.set(n.id, versionLabel(n.artifact));
  const sharedIds = cmp.provenance.sharedAncestorIds;
  const figures = cmp.provenance.dags.map((dag) => {
    const i = models.findIndex((m) => m.id === dag.modelId);
    const model = models[i];
    return renderDag(dag, {
      caption: [
        el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
        el('strong', {}, model ? model.title : dag.modelId),
        el('code', { class: 'muted' }, dag.modelId),
      ],
      modelTitle: model ? model.title : dag.modelId,
    });
  });
  return section(
    'provenance',
    'Provenance',
    el(
      'p',
      { class: 'note' },
      'What each version was built from: inputs on the left, the model on the right; arrows point from an input to what uses it. Ancestors shared by all compared models are outlined. Graphs are drawn at full size; scroll or zoom for large ones.',
    ),
    dagLegend(),
    el(
      'p',
      { class: 'small', id: 'shared-ancestors' },
      el('strong', {}, `Shared by all ${models.length} models: `),
      sharedIds.length
        ? sharedIds.map((id, k) => [k ? ', ' : '', el('code', {}, labels.get(id) || id)])
        : el('span', { class: 'muted' }, 'no common ancestor'),
    ),
    figures,
  );
}

// ----------------------------------------------------------------------------- export

/** Tidy (long) CSV: one line per metric, configuration key and metadata key per model. */
export function toCsv(cmp) {
  const lines = [
    ['section', 'key', 'model_id', 'present', 'value', 'delta', 'best', 'better', 'differs'],
  ];
  for (const row of cmp.metrics) {
    for (const c of row.cells) {
      lines.push([
        'metric',
        row.name,
        c.modelId,
        c.value !== null,
        c.value === null ? '' : c.value,
        c.delta === null ? '' : c.delta,
        c.best,
        row.better.toLowerCase(),
        '',
      ]);
    }
  }
  for (const [name, rows] of [
    ['training_config', cmp.trainingConfig],
    ['metadata', cmp.metadata],
  ]) {
    for (const row of rows) {
      for (const c of row.cells) {
        const value = !c.present
          ? ''
          : typeof c.value === 'string'
            ? c.value
            : JSON.stringify(c.value);
        lines.push([name, row.key, c.modelId, c.present, value, '', '', '', row.differs]);
      }
    }
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function renderToolbar(cmp) {
  const pinned = new URL(compareHref(cmp.models.map((m) => m.id)), location.origin).href;
  const stem = `comparison-${cmp.models.length}-models`;
  const say = el('span', { id: 'export-status', class: 'muted small', role: 'status' });
  const link = el('input', {
    type: 'text',
    id: 'permalink',
    readonly: true,
    value: pinned,
    'aria-label': 'Permalink to this comparison',
  });
  return el(
    'div',
    { class: 'toolbar', id: 'export-toolbar' },
    el('label', { for: 'permalink' }, 'Permalink'),
    link,
    el(
      'button',
      {
        type: 'button',
        id: 'copy-link',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(pinned);
            say.textContent = 'Link copied.';
          } catch {
            link.focus();
            link.select();
            say.textContent = 'Press Ctrl+C (⌘C) to copy the selected link.';
          }
        },
      },
      'Copy link',
    ),
    el(
      'button',
      {
        type: 'button',
        id: 'download-json',
        onclick: () =>
          download(`${stem}.json`, 'application/json', JSON.stringify(cmp, null, 2) + '\n'),
      },
      'Download JSON',
    ),
    el(
      'button',
      {
        type: 'button',
        id: 'download-csv',
        title: 'One line per model and metric, configuration key or metadata key',
        onclick: () => download(`${stem}.csv`, 'text/csv', toCsv(cmp)),
      },
      'Download CSV',
    ),
    say,
  );
}

// ----------------------------------------------------------------------------- page

function render(cmp, requested) {
  const models = cmp.models;
  document.title = `Compare ${models.map((m) => m.id).join(', ')} · Model registry`;
  $('page-title').textContent = `Compare ${models.length} models`;
  $('summary').replaceChildren(
    el(
      'span',
      {},
      models.map((m, i) => [
        i ? '  ·  ' : '',
        el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
        ' ',
        el('code', {}, m.id),
      ]),
    ),
  );
  const content = $('content');
  content.replaceChildren(
    renderToolbar(cmp),
    el(
      'nav',
      { 'aria-label': 'Sections' },
      el(
        'ul',
        { class: 'jump' },
        [
          ['models', 'Models'],
          ['metrics', 'Metrics'],
          ['config', 'Training configuration'],
          ['metadata', 'Metadata'],
          ['inputs', 'Training data'],
          ['provenance', 'Provenance'],
        ].map(([id, text]) => el('li', {}, el('a', { href: `#${id}` }, text))),
      ),
    ),
    renderCards(cmp, requested),
    renderMetrics(cmp),
    renderConfig(cmp),
    renderMetadata(cmp),
    renderInputs(cmp),
    renderProvenance(cmp),
  );
  content.hidden = false;
  for (const figure of content.querySelectorAll('figure.dag')) figure.revealModel();
  finish();
  document.body.dataset.state = 'ready';
}

async function main() {
  const ids = parseIds(location.search);
  $('ids-input').value = ids.join(',');
  if (ids.length < MIN_MODELS) {
    finish();
    showError(
      $('error'),
      'Choose at least two models to compare',
      ids.length
        ? [
            'Only one model was given: ',
            el('code', {}, ids[0]),
            '. Add another id above, or pick models in the catalog.',
          ]
        : 'No model ids were given. Type two or more ids above (comma-separated), or pick models in the catalog.',
      catalogLink(),
      exampleLink(),
    );
    document.body.dataset.state = 'error';
    return;
  }
  if (ids.length > MAX_MODELS) {
    finish();
    showError(
      $('error'),
      'Too many models',
      `Compare at most ${MAX_MODELS} models at once; ${ids.length} were given.`,
      catalogLink(),
    );
    document.body.dataset.state = 'error';
    return;
  }
  try {
    const data = await gql(COMPARE_QUERY, { ids });
    render(data.compareModels, ids);
  } catch (err) {
    renderApiError(err, ids);
    document.body.dataset.state = 'error';
  }
}

main().catch((err) => {
  // A bug in this page must still leave a message, never a blank page.
  renderApiError(err, []);
  document.body.dataset.state = 'error';
});
