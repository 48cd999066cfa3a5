// GET /models: the models query with its filters, sort and paging, all kept in the URL.

import { gql, ApiError } from './api.js';
import {
  el,
  fmtCount,
  fmtDate,
  familyLabel,
  versionLabel,
  modelHref,
  scoreView,
  showError,
  FAMILIES,
  archivedBadge,
  tagChips,
  aliasBadges,
} from './ui.js';
import { isSelected, selectBox, startSelection } from './catalog-selection.js';

const SORT_FIELDS = ['CREATED_AT', 'QUALITY_SCORE', 'PARAMETER_COUNT'];
const DIRECTIONS = ['DESC', 'ASC'];
const DEFAULTS = { sort: 'CREATED_AT', direction: 'DESC', limit: 20, offset: 0 };

const MODELS_QUERY = `query Catalog($filter: ModelFilter, $sort: ModelSort, $limit: Int!, $offset: Int!) {
  models(filter: $filter, sort: $sort, limit: $limit, offset: $offset) {
    total
    items {
      id lineageId versionNumber isLatest title family architecture parameterCount createdAt
      qualityScore rawQualityScore archived archivedReason tags { key value } aliases
      provenance { complete warnings { code message } }
      trainedOn { id lineageId versionNumber title }
    }
  }
}`;

const OPTIONS_QUERY = `{
  datasets(limit: 100) { items { id lineageId versionNumber title } }
  hypotheses(limit: 100) { items { id lineageId versionNumber title } }
}`;

const $ = (id) => document.getElementById(id);

/** The page state from a query string, with anything invalid replaced by its default. */
export function readState(search) {
  const p = new URLSearchParams(search);
  const text = (name) => (p.get(name) || '').trim();
  const int = (name, fallback, min, max) => {
    const n = Number.parseInt(p.get(name) || '', 10);
    return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
  };
  const family = text('family').toUpperCase();
  const sort = text('sort').toUpperCase();
  const direction = text('direction').toUpperCase();
  return {
    family: family in FAMILIES ? family : '',
    dataset: text('dataset'),
    hypothesis: text('hypothesis'),
    search: text('search'),
    latestOnly: ['1', 'true', 'yes'].includes(text('latestOnly').toLowerCase()),
    sort: SORT_FIELDS.includes(sort) ? sort : DEFAULTS.sort,
    direction: DIRECTIONS.includes(direction) ? direction : DEFAULTS.direction,
    limit: int('limit', DEFAULTS.limit, 1, 100),
    offset: int('offset', DEFAULTS.offset, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** The query string for a state; defaults are left out so links stay short. */
export function writeState(state) {
  const p = new URLSearchParams();
  for (const key of ['family', 'dataset', 'hypothesis', 'search'])
    if (state[key]) p.set(key, state[key]);
  if (state.latestOnly) p.set('latestOnly', 'true');
  if (state.sort !== DEFAULTS.sort) p.set('sort', state.sort);
  if (state.direction !== DEFAULTS.direction) p.set('direction', state.direction);
  if (state.limit !== DEFAULTS.limit) p.set('limit', String(state.limit));
  if (state.offset) p.set('offset', String(state.offset));
  const query = p.toString();
  return query ? '?' + query : '';
}

function variables(state) {
  const filter = { latestOnly: state.latestOnly };
  if (state.family) filter.family = state.family;
  if (state.dataset) filter.trainedOn = state.dataset;
  if (state.hypothesis) filter.testsHypothesis = state.hypothesis;
  if (state.search) filter.search = state.search;
  return {
    filter,
    sort: { field: state.sort, direction: state.direction },
    limit: state.limit,
    offset: state.offset,
  };
}

// ----------------------------------------------------------------------------- form

const form = $('filters');

function fillForm(state) {
  $('f-family').value = state.family;
  $('f-dataset').value = state.dataset;
  $('f-hypothesis').value = state.hypothesis;
  $('f-search').value = state.search;
  $('f-latest').checked = state.latestOnly;
  $('f-sort').value = state.sort;
  $('f-direction').value = state.direction;
  const limit = $('f-limit');
  if (![...limit.options].some((o) => o.value === String(state.limit))) {
    limit.append(el('option', { value: String(state.limit) }, String(state.limit)));
  }
  limit.value = String(state.limit);
}

function formState() {
  return {
    family: $('f-family').value,
    dataset: $('f-dataset').value.trim(),
    hypothesis: $('f-hypothesis').value.trim(),
    search: $('f-search').value.trim(),
    latestOnly: $('f-latest').checked,
    sort: $('f-sort').value,
    direction: $('f-direction').value,
    limit: Number.parseInt($('f-limit').value, 10) || DEFAULTS.limit,
    offset: 0,
  };
}

// ----------------------------------------------------------------------------- table

const SHOWN_DATASETS = 3;

/** The first few training datasets, the rest behind a "+n more" disclosure. */
function datasetList(datasets) {
  const item = (d) => el('li', { title: d.title }, versionLabel(d));
  const head = datasets.slice(0, SHOWN_DATASETS);
  const rest = datasets.slice(SHOWN_DATASETS);
  return [
    el('ul', { class: 'inline-list' }, head.map(item)),
    rest.length
      ? el(
          'details',
          { class: 'more' },
          el('summary', {}, `+${rest.length} more`),
          el('ul', { class: 'inline-list' }, rest.map(item)),
        )
      : null,
  ];
}

function row(m) {
  return el(
    'tr',
    { 'data-model-id': m.id, class: isSelected(m.id) ? 'is-selected' : null },
    el('td', { class: 'select-cell' }, selectBox(m)),
    el(
      'td',
      { class: 'model-cell' },
      el('a', { href: modelHref(m.id) }, m.title),
      el('span', { class: 'mono' }, m.id),
      aliasBadges(m.lineageId, m.aliases),
      archivedBadge(m),
      tagChips(m.tags),
    ),
    el(
      'td',
      { title: versionLabel(m), class: 'nowrap' },
      el('code', {}, `@${m.versionNumber}`),
      m.isLatest ? [' ', el('span', { class: 'badge' }, 'latest')] : null,
    ),
    el('td', { 'data-family': m.family, class: 'nowrap' }, familyLabel(m.family)),
    el('td', { class: 'num quality', 'data-score': String(m.qualityScore) }, scoreView(m)),
    el('td', { class: 'num', title: String(m.parameterCount) }, fmtCount(m.parameterCount)),
    el(
      'td',
      {},
      m.trainedOn.length
        ? datasetList(m.trainedOn)
        : el('span', { class: 'missing' }, 'none linked'),
    ),
    el(
      'td',
      { class: 'small nowrap' },
      el('time', { datetime: m.createdAt }, fmtDate(m.createdAt)),
    ),
  );
}

function describe(state) {
  const parts = [];
  if (state.family) parts.push(`family: ${familyLabel(state.family)}`);
  if (state.dataset) parts.push(`trained on: ${state.dataset}`);
  if (state.hypothesis) parts.push(`testing: ${state.hypothesis}`);
  if (state.search) parts.push(`title contains: “${state.search}”`);
  if (state.latestOnly) parts.push('latest versions only');
  return parts.map((p) => ' · ' + p).join('');
}

let current = readState(location.search);
let generation = 0;

async function load(state) {
  const mine = ++generation;
  current = state;
  const tbody = $('models-table').tBodies[0];
  $('models-table').setAttribute('aria-busy', 'true');
  $('result-summary').textContent = 'Loading models…';
  let page;
  try {
    page = (await gql(MODELS_QUERY, variables(state))).models;
  } catch (err) {
    if (mine !== generation) return;
    tbody.replaceChildren();
    $('models-table').removeAttribute('aria-busy');
    $('result-summary').textContent = 'The models could not be loaded.';
    const title =
      err instanceof ApiError && err.kind === 'graphql'
        ? 'These filters were refused'
        : 'The server could not answer';
    showError(
      $('error'),
      title,
      err.message,
      el('a', { class: 'button', href: '/models' }, 'Reset the filters'),
    );
    $('prev-page').disabled = true;
    $('next-page').disabled = true;
    $('page-info').textContent = '';
    document.body.dataset.state = 'error';
    return;
  }
  if (mine !== generation) return;
  $('error').hidden = true;
  $('models-table').removeAttribute('aria-busy');
  tbody.replaceChildren(...page.items.map(row));
  const first = state.offset + 1;
  const last = state.offset + page.items.length;
  const what = describe(state);
  const summary = $('result-summary');
  const plural = page.total === 1 ? '' : 's';
  if (page.total === 0) {
    summary.replaceChildren(`No model${what}. `, el('a', { href: '/models' }, 'Clear the filters'));
  } else if (!page.items.length) {
    summary.replaceChildren(
      `This page is past the end: ${page.total} model${plural}${what}. `,
      el('a', { href: '/models' + writeState({ ...state, offset: 0 }) }, 'Go to the first page'),
    );
  } else {
    summary.textContent = `Showing ${first}–${last} of ${page.total} model${plural}${what}`;
  }
  summary.dataset.total = String(page.total);
  const sortName = $('f-sort').selectedOptions[0]?.textContent || state.sort;
  const order = state.direction === 'DESC' ? 'descending' : 'ascending';
  $('models-caption').textContent = `Models sorted by ${sortName.toLowerCase()} (${order})`;
  const pages = Math.max(1, Math.ceil(page.total / state.limit));
  const pageNo = Math.floor(state.offset / state.limit) + 1;
  $('page-info').textContent = `Page ${pageNo} of ${pages}`;
  $('prev-page').disabled = state.offset === 0;
  $('next-page').disabled = state.offset + state.limit >= page.total;
  document.body.dataset.state = 'ready';
}

function go(state) {
  const query = writeState(state);
  if (query !== location.search) history.pushState(null, '', '/models' + query);
  load(state);
}

async function loadOptions() {
  try {
    const data = await gql(OPTIONS_QUERY);
    const fill = (listId, items) => {
      const lineages = new Map();
      for (const a of items) lineages.set(a.lineageId, a.title);
      $(listId).replaceChildren(
        ...[...lineages].map(([id]) => el('option', { value: id }, `${id} (any version)`)),
        ...items.map((a) => el('option', { value: a.id }, `${versionLabel(a)} · ${a.title}`)),
      );
    };
    fill('dataset-ids', data.datasets.items);
    fill('hypothesis-ids', data.hypotheses.items);
  } catch {
    // Suggestions are a convenience; typing an id still works.
  }
}

// ----------------------------------------------------------------------------- wiring

form.addEventListener('submit', (event) => {
  event.preventDefault();
  go(formState());
});
for (const id of ['f-family', 'f-sort', 'f-direction', 'f-limit', 'f-latest']) {
  $(id).addEventListener('change', () => go(formState()));
}
$('reset-filters').addEventListener('click', (event) => {
  event.preventDefault();
  const state = { ...readState(''), limit: current.limit };
  fillForm(state);
  go(state);
});
$('prev-page').addEventListener('click', () =>
  go({ ...current, offset: Math.max(0, current.offset - current.limit) }),
);
$('next-page').addEventListener('click', () =>
  go({ ...current, offset: current.offset + current.limit }),
);
window.addEventListener('popstate', () => {
  const state = readState(location.search);
  fillForm(state);
  load(state);
});

startSelection();
fillForm(current);
load(current);
loadOptions();
