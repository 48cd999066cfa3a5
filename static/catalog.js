// GET /models: a page of GET /api/models. The page's query string IS the REST query (plus the
// page-only `columns=`), so a catalog URL and an API call list the same models in the same
// order; the controls only read and write that query string.

import { gql } from './api.js';
import { el, showError, versionLabel, FAMILIES } from './ui.js';
import { isSelected, startSelection } from './catalog-selection.js';
import { restGet, modelFromRest } from './catalog-rest.js';
import { composeFilter, readFilter, rowsText } from './catalog-filter.js';
import { createBuilder } from './catalog-builder.js';
import {
  METRIC,
  SORT_COLUMNS,
  clickedSort,
  createChooser,
  headerRow,
  modelRow,
  readColumns,
  shownColumns,
  writeColumns,
} from './catalog-columns.js';
import { clearFilterError, showFilterError } from './catalog-filter-error.js';
import { showSummary } from './catalog-summary.js';

const ORDERS = ['asc', 'desc'];
const DEFAULTS = { sort: 'created_at', limit: 20 };
// Names the page keeps in its URL for itself; REST is not sent them.
const PAGE_ONLY = ['columns'];
const MAX_METRIC_PAGES = 10;

const OPTIONS_QUERY = `{
  datasets(limit: 100) { items { id lineageId versionNumber title } }
  hypotheses(limit: 100) { items { id lineageId versionNumber title } }
  warningCodes: __type(name: "WarningCode") { enumValues { name } }
}`;

const $ = (id) => document.getElementById(id);

/** The page state from a query string, under REST's names (and the aliases REST accepts). */
export function readState(search) {
  const p = new URLSearchParams(search);
  const text = (name) => (p.get(name) || '').trim();
  const int = (name, fallback, min, max) => {
    const n = Number.parseInt(p.get(name) || '', 10);
    return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
  };
  const family = text('family').toLowerCase();
  const rawSort = text('sort');
  const sort = rawSort.toLowerCase().startsWith(METRIC)
    ? METRIC + rawSort.slice(METRIC.length)
    : rawSort.toLowerCase();
  const metricSort = sort.startsWith(METRIC) && sort.length > METRIC.length;
  const order = (text('order') || text('direction')).toLowerCase();
  const latest = (text('latest') || text('latestOnly')).toLowerCase();
  const state = {
    family: family.toUpperCase() in FAMILIES ? family : '',
    dataset: text('dataset'),
    hypothesis: text('hypothesis'),
    q: text('q') || text('search'),
    tag: text('tag'),
    alias: text('alias'),
    latest: ['1', 'true', 'yes'].includes(latest),
    filter: text('filter'),
    sort: SORT_COLUMNS.includes(sort) || metricSort ? sort : DEFAULTS.sort,
    order: ORDERS.includes(order) ? order : '',
    limit: int('limit', DEFAULTS.limit, 1, 100),
    offset: int('offset', 0, 0, Number.MAX_SAFE_INTEGER),
    cursor: text('cursor'),
    columns: readColumns(text('columns')),
  };
  // A column sorts descending unless told otherwise; only a metric has a "best" order.
  if (!state.sort.startsWith(METRIC) && state.order === 'desc') state.order = '';
  return state;
}

/** The query string for a state, under REST's names; defaults are left out. */
export function writeState(state, { page = true } = {}) {
  const p = new URLSearchParams();
  for (const key of ['family', 'dataset', 'hypothesis', 'q', 'tag', 'alias'])
    if (state[key]) p.set(key, state[key]);
  if (state.latest) p.set('latest', 'true');
  if (state.filter) p.set('filter', state.filter);
  if (state.sort !== DEFAULTS.sort) p.set('sort', state.sort);
  if (state.order) p.set('order', state.order);
  if (state.limit !== DEFAULTS.limit) p.set('limit', String(state.limit));
  if (state.cursor) p.set('cursor', state.cursor);
  else if (state.offset) p.set('offset', String(state.offset));
  const columns = writeColumns(state.columns);
  if (page && columns) p.set('columns', columns);
  return [...p].map(([name, value]) => `${name}=${queryValue(value)}`).join('&');
}

/** A query value encoded as URLSearchParams reads it, keeping `:`, `,`, `/` and `@` readable. */
function queryValue(value) {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/%(3A|2C|2F|40)/g, (code) => decodeURIComponent(code));
}

/** What REST is asked for a page query string: all of it but the page-only names. */
function restQuery(search) {
  const p = new URLSearchParams(search);
  for (const name of PAGE_ONLY) p.delete(name);
  return p.toString();
}

// ----------------------------------------------------------------------------- controls

const directions = new Map(); // metric name -> 'lower' | 'higher'
let custom = ''; // filter text the builder rows cannot show
const builder = createBuilder($('filter-builder'), () => writeFilterBox());
const chooser = createChooser($('column-choices'), (keys) =>
  show({ ...current, columns: keys }, { fetch: false }),
);

function builderText() {
  return custom || rowsText(builder.rows(), builder.join());
}

/** The filter box grows with its text, so a long filter is read whole. */
function fitFilterBox() {
  const box = $('f-filter');
  box.style.height = 'auto';
  box.style.height = `${box.scrollHeight + 2}px`;
}

/** The builder and the search box write the filter box, which is what Apply sends. */
function writeFilterBox() {
  $('f-filter').value = composeFilter($('f-text').value, builderText());
  fitFilterBox();
}

/** The builder rows and the search box for a filter text. */
function readFilterBox(text) {
  const read = readFilter(text);
  $('f-text').value = read.search;
  custom = read.custom;
  if (!custom && rowsText(builder.rows(), builder.join()) !== rowsText(read.rows, read.join))
    builder.set(read.rows, read.join);
  if (custom) builder.set([], 'and');
  $('filter-builder').hidden = Boolean(custom);
  $('builder-custom').hidden = !custom;
}

function orderLabel(sort) {
  if (!sort.startsWith(METRIC)) return 'Default (descending)';
  const better = directions.get(sort.slice(METRIC.length));
  return better === 'lower'
    ? 'Best (lowest) first'
    : better === 'higher'
      ? 'Best (highest) first'
      : 'Best first';
}

function fillSortOptions(sort) {
  const names = [...directions.keys()];
  const metric = sort.startsWith(METRIC) ? sort.slice(METRIC.length) : null;
  if (metric !== null && !directions.has(metric)) names.push(metric);
  $('f-sort-metrics').replaceChildren(...names.map((n) => el('option', { value: METRIC + n }, n)));
}

function fillForm(state) {
  $('f-family').value = state.family;
  $('f-dataset').value = state.dataset;
  $('f-hypothesis').value = state.hypothesis;
  $('f-latest').checked = state.latest;
  fillSortOptions(state.sort);
  $('f-sort').value = state.sort;
  $('f-order').options[0].textContent = orderLabel(state.sort);
  $('f-order').value = state.order;
  const limit = $('f-limit');
  if (![...limit.options].some((o) => o.value === String(state.limit)))
    limit.append(el('option', { value: String(state.limit) }, String(state.limit)));
  limit.value = String(state.limit);
  $('f-filter').value = state.filter;
  readFilterBox(state.filter);
  fitFilterBox();
  chooser.set(state.columns);
}

function formState() {
  const sort = $('f-sort').value || DEFAULTS.sort;
  let order = $('f-order').value;
  if (!sort.startsWith(METRIC) && order === 'desc') order = '';
  return {
    ...current,
    family: $('f-family').value,
    dataset: $('f-dataset').value.trim(),
    hypothesis: $('f-hypothesis').value.trim(),
    latest: $('f-latest').checked,
    filter: $('f-filter').value.trim(),
    sort,
    order,
    limit: Number.parseInt($('f-limit').value, 10) || DEFAULTS.limit,
    offset: 0,
    cursor: '',
  };
}

// ----------------------------------------------------------------------------- table

function render(state, page) {
  const columns = shownColumns(state);
  const table = $('models-table');
  table.tHead.replaceChildren(headerRow(columns, state, directions, sortBy));
  table.tBodies[0].replaceChildren(
    ...page.models.map((m) => modelRow(modelFromRest(m), columns, isSelected(m.id))),
  );
  table.removeAttribute('aria-busy');
  const firstPage = '/models?' + writeState({ ...state, offset: 0, cursor: '' });
  showSummary(state, page, directions, firstPage);
  document.body.dataset.state = 'ready';
}

let current = readState(location.search);
let shown = null; // the page of REST's answer on screen, for the current state
let generation = 0;

function failed(err, fromUser) {
  if (err.parameter === 'filter') {
    showFilterError($('filter-error'), $('f-filter'), err, { focus: fromUser });
    // Nothing else changes: the rows, the address and the other controls stay as they were.
    if (shown) render(current, shown);
    else {
      $('models-table').removeAttribute('aria-busy');
      $('result-summary').textContent = 'The filter was refused; no models are shown.';
      document.body.dataset.state = 'error';
    }
    return;
  }
  shown = null;
  $('models-table').tBodies[0].replaceChildren();
  $('models-table').removeAttribute('aria-busy');
  $('result-summary').textContent = 'The models could not be loaded.';
  const title =
    err.status === 400 ? 'These parameters were refused' : 'The server could not answer';
  const detail = err.parameter ? ` (${err.code}, parameter ${err.parameter})` : ` (${err.code})`;
  showError(
    $('error'),
    title,
    err.message + detail,
    el('a', { class: 'button', href: '/models' }, 'Reset the filters'),
  );
  $('prev-page').disabled = true;
  $('next-page').disabled = true;
  $('page-info').textContent = '';
  document.body.dataset.state = 'error';
}

/** Fetch REST's answer for `state` (asked as `query`) and show it; push it to the history
 *  only once REST accepted it. */
async function load(state, { query = writeState(state, { page: false }), push = false } = {}) {
  const mine = ++generation;
  $('models-table').setAttribute('aria-busy', 'true');
  $('result-summary').textContent = 'Loading models…';
  let page;
  try {
    page = await restGet('/api/models', query);
  } catch (err) {
    if (mine === generation) failed(err, push);
    return;
  }
  if (mine !== generation) return;
  current = state;
  shown = page;
  if (push) {
    const search = writeState(state);
    if ('?' + search !== location.search && search !== location.search)
      history.pushState(null, '', '/models' + (search ? '?' + search : ''));
  }
  $('error').hidden = true;
  clearFilterError($('filter-error'), $('f-filter'));
  fillForm(state);
  render(state, page);
}

function show(state, { fetch = true } = {}) {
  if (fetch || !shown) return load(state, { push: true });
  current = state;
  const search = writeState(state);
  history.pushState(null, '', '/models' + (search ? '?' + search : ''));
  render(state, shown);
  return null;
}

function sortBy(sort) {
  show({ ...current, ...clickedSort(current, sort, directions), offset: 0, cursor: '' });
}

// ----------------------------------------------------------------------------- options

async function loadMetrics() {
  const names = [];
  for (let i = 0; i < MAX_METRIC_PAGES; i++) {
    const page = await restGet('/api/metrics', `limit=100&offset=${i * 100}`);
    for (const m of page.metrics) {
      directions.set(m.name, m.direction);
      names.push(m.name);
    }
    if (names.length >= page.total || !page.metrics.length) break;
  }
  $('metric-names').replaceChildren(...names.map((n) => el('option', { value: n })));
  chooser.set(current.columns, names);
  fillSortOptions(current.sort);
  $('f-sort').value = current.sort;
  $('f-order').options[0].textContent = orderLabel(current.sort);
  if (shown) render(current, shown);
}

async function loadOptions() {
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
  builder.setWarningCodes((data.warningCodes?.enumValues || []).map((v) => v.name));
}

// ----------------------------------------------------------------------------- wiring

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  show(formState());
});
for (const id of ['f-family', 'f-sort', 'f-order', 'f-limit', 'f-latest']) {
  $(id).addEventListener('change', () => {
    const state = formState();
    // Another sort starts in its default order.
    if (id === 'f-sort') state.order = '';
    show(state);
  });
}
$('f-text').addEventListener('input', writeFilterBox);
$('f-filter').addEventListener('input', () => {
  readFilterBox($('f-filter').value);
  fitFilterBox();
});
$('f-filter').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    $('filters').requestSubmit();
  }
});
$('builder-restart').addEventListener('click', () => {
  custom = '';
  builder.set([], 'and');
  writeFilterBox();
  readFilterBox($('f-filter').value);
  $('fb-add').focus();
});
$('reset-filters').addEventListener('click', (event) => {
  event.preventDefault();
  show({ ...readState(''), limit: current.limit, columns: current.columns });
});
$('prev-page').addEventListener('click', () =>
  show({
    ...current,
    cursor: '',
    offset: current.cursor ? 0 : Math.max(0, current.offset - current.limit),
  }),
);
$('next-page').addEventListener('click', () =>
  show(
    current.cursor
      ? { ...current, cursor: shown.next_cursor, offset: 0 }
      : { ...current, offset: current.offset + current.limit },
  ),
);
window.addEventListener('popstate', () => {
  const state = readState(location.search);
  fillForm(state);
  load(state, { query: restQuery(location.search) });
});

startSelection();
fillForm(current);
load(current, { query: restQuery(location.search) });
// Suggestions and metric names are conveniences: typing a name still works without them.
loadMetrics().catch(() => {});
loadOptions().catch(() => {});
