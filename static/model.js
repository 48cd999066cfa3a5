// GET /models/<id>: one model version (or a lineage's latest), modest and complete.
//
// One request draws the page (the version, its resolved links, its upstream graph); then its
// own links with their pin state, the metric trend across the lineage, one page of versions and
// the compare shortcuts load side by side, each into its own panel, each failing on its own.

import { gql, ApiError } from './api.js';
import { el, showError } from './ui.js';
import {
  panel,
  flatten,
  keyValueTable,
  metricsTable,
  modelHead,
  compareLinks,
} from './model-panels.js';
import { renderLinks, renderLineageGraph } from './model-links.js';
import { showVersions, pageOffset } from './model-versions.js';
import { renderTrend } from './model-trend.js';
import {
  ALIASES_QUERY,
  HISTORY_PAGE_SIZE,
  aliasesTable,
  heldWarning,
  showAliasHistory,
} from './model-aliases.js';

const ART = 'id kind lineageId versionNumber isLatest title';
const MAX_POINTS = 500;

const MODEL_QUERY = `query Model($id: ID!) {
  model(id: $id) {
    id lineageId versionNumber isLatest title description createdAt metadata
    family architecture parameterCount trainingConfig qualityScore rawQualityScore
    archived archivedAt archivedReason tags { key value } aliases
    uri digest sizeBytes
    evaluationMetrics { name value better }
    provenance { complete warnings { code message } }
    trainedOn { ${ART} }
    producedBy {
      ${ART}
      inputs { pinned pinnedVersion artifact { ${ART} } }
    }
    testsHypotheses { ${ART} }
    derivedFrom { ${ART} }
    versionsCount
    latest { id versionNumber }
  }
  lineage(id: $id, direction: UPSTREAM, maxDepth: 6, limit: 100) {
    truncated
    nodes { artifact { ${ART} } }
    edges { sourceId targetId type pinned }
  }
}`;

const LINKS_QUERY = `query ModelLinks($id: ID!) {
  model(id: $id) {
    linksCount
    links(limit: 100) { type pinned pinnedVersion artifact { ${ART} } }
    evaluationMetrics { name value better stderr lower upper }
  }
}`;

const TREND_QUERY = `query MetricTrend($id: ID!, $maxPoints: Int!, $sampling: HistorySampling!) {
  model(id: $id) {
    metricHistory(maxPoints: $maxPoints, sampling: $sampling) {
      versionsCount sampling
      points { versionId versionNumber createdAt metrics { name value better lower upper } }
    }
  }
}`;

const NEIGHBOURS_QUERY = `query Neighbours($id: ID!, $previous: Int!, $recent: Int!) {
  model(id: $id) {
    previous: versions(limit: 1, offset: $previous) { id versionNumber }
    recent: versions(limit: 10, offset: $recent) { id }
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

function failure(target, what, err) {
  target.replaceChildren(
    el('p', { class: 'error-panel', role: 'alert' }, `${what} could not be loaded: ${err.message}`),
  );
}

const loading = (text) => el('p', { class: 'status', role: 'status' }, text);

async function loadLinks(m) {
  const target = $('own-links-slot');
  try {
    const own = (await gql(LINKS_QUERY, { id: m.id })).model;
    target.replaceChildren(renderLinks(m, own));
    $('metrics-slot').replaceChildren(metricsTable(own.evaluationMetrics));
  } catch (err) {
    target.replaceChildren(renderLinks(m, null, err.message));
  }
}

async function loadTrend(m, sampling = 'EVEN') {
  const target = $('trend-slot');
  try {
    const data = await gql(TREND_QUERY, { id: m.id, maxPoints: MAX_POINTS, sampling });
    const history = data.model.metricHistory;
    renderTrend(target, m, history, m.evaluationMetrics);
    if (history.versionsCount > MAX_POINTS) target.prepend(samplingPicker(m, sampling));
  } catch (err) {
    failure(target, 'The metric trend', err);
  }
}

function samplingPicker(m, sampling) {
  const select = el(
    'select',
    { id: 'trend-sampling-choice', onchange: (event) => loadTrend(m, event.target.value) },
    el(
      'option',
      { value: 'EVEN', selected: sampling === 'EVEN' },
      'an even sample across the lineage',
    ),
    el('option', { value: 'LATEST', selected: sampling === 'LATEST' }, `the latest ${MAX_POINTS}`),
  );
  return el(
    'p',
    { class: 'field inline' },
    el('label', { for: 'trend-sampling-choice' }, `Draw ${MAX_POINTS} versions: `),
    select,
  );
}

async function loadNeighbours(m) {
  const n = m.versionNumber;
  const data = await gql(NEIGHBOURS_QUERY, {
    id: m.id,
    previous: Math.max(0, n - 2),
    recent: Math.max(0, m.versionsCount - 10),
  });
  const previous = n > 1 ? data.model.previous[0] : null;
  const links = compareLinks(m, previous, data.model.recent).filter(Boolean);
  $('compare-links').replaceChildren(...links);
}

async function loadAliases(m) {
  const target = $('aliases-slot');
  const history = $('alias-history-slot');
  try {
    const data = await gql(ALIASES_QUERY, {
      lineageId: m.lineageId,
      id: m.id,
      limit: HISTORY_PAGE_SIZE,
    });
    target.replaceChildren(aliasesTable(m, data.aliases));
    const warning = heldWarning(m, data.aliases);
    if (warning) $('alias-warning-slot').replaceChildren(warning);
    await showAliasHistory(history, m, 0, data.model);
  } catch (err) {
    failure(target, 'The aliases', err);
    history.replaceChildren();
  }
}

async function loadVersions(m) {
  const target = $('versions-slot');
  try {
    await showVersions(target, m, pageOffset(m.versionNumber));
  } catch (err) {
    failure(target, 'The versions', err);
  }
}

function render(m, lineage, askedId) {
  document.title = `${m.title} (${m.id}) · Model registry`;
  $('page-title').textContent = m.title;
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
  $('content').replaceChildren(
    modelHead(m, askedId),
    el(
      'div',
      { class: 'two-col' },
      panel(
        'metrics',
        'Evaluation metrics',
        el('div', { id: 'metrics-slot' }, metricsTable(m.evaluationMetrics)),
      ),
      panel('config', 'Training configuration', config),
    ),
    panel(
      'trend',
      'Metrics across versions',
      el('div', { id: 'trend-slot' }, loading('Loading the metric history…')),
    ),
    panel(
      'provenance',
      'Provenance',
      el('div', { id: 'own-links-slot' }, loading('Loading the links of this version…')),
      renderLineageGraph(m, lineage),
    ),
    panel(
      'aliases',
      'Aliases',
      el('div', { id: 'aliases-slot' }, loading('Loading the aliases…')),
      el('h3', { id: 'alias-history-title' }, 'Alias history'),
      el('div', { id: 'alias-history-slot' }, loading('Loading the alias history…')),
    ),
    panel(
      'versions',
      'Versions',
      el('div', { id: 'versions-slot' }, loading('Loading the versions…')),
    ),
    panel('metadata', 'Metadata', metadata),
  );
  $('content').hidden = false;
  for (const figure of $('content').querySelectorAll('figure.dag')) figure.revealModel();
}

async function main() {
  const id = modelIdFromPath(location.pathname);
  try {
    const data = await gql(MODEL_QUERY, { id }).catch((err) => {
      // An unknown alias is NOT_FOUND (naming the alias); an unknown id is a null model.
      if (err instanceof ApiError && err.code === 'NOT_FOUND') return { model: null, err };
      throw err;
    });
    $('status').hidden = true;
    if (!data.model) {
      $('page-title').textContent = 'Model not found';
      document.title = 'Model not found · Model registry';
      showError(
        $('error'),
        'No such model',
        data.err
          ? [el('code', {}, id), ' names nothing: ', data.err.message, '.']
          : ['No model has the id ', el('code', {}, id), '.'],
        el('a', { class: 'button', href: '/models' }, 'Browse the catalog'),
      );
      document.body.dataset.state = 'error';
      return;
    }
    const m = data.model;
    render(m, data.lineage, id);
    await Promise.allSettled([
      loadLinks(m),
      loadTrend(m),
      loadAliases(m),
      loadVersions(m),
      loadNeighbours(m),
    ]);
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
