// The catalog table's columns: the built-in ones and one per metric, chosen in a column
// chooser and kept in the URL (`columns=`, a page-only name), with headers that sort.

import {
  el,
  fmtCount,
  fmtDate,
  fmtNum,
  familyLabel,
  modelHref,
  scoreView,
  archivedBadge,
  tagChips,
  aliasBadges,
  srOnly,
} from './ui.js';
import { selectBox } from './catalog-selection.js';

export const METRIC = 'metric:';
const MODEL = 'model';
const SHOWN_DATASETS = 3;

/** A sort column REST knows, and the order a first click asks for ('' is REST's default). */
const BUILT_IN = [
  { key: 'version', label: 'Version' },
  { key: 'family', label: 'Family' },
  { key: 'quality_score', label: 'Quality score', sort: 'quality_score', num: true },
  { key: 'parameter_count', label: 'Parameters', sort: 'parameter_count', num: true },
  { key: 'trained_on', label: 'Trained on' },
  { key: 'created_at', label: 'Registered', sort: 'created_at' },
];
export const BUILT_IN_KEYS = BUILT_IN.map((c) => c.key);
export const SORT_COLUMNS = BUILT_IN.filter((c) => c.sort).map((c) => c.sort);

/** The chosen column keys from `columns=` (comma-separated, each URI-encoded); null: default. */
export function readColumns(raw) {
  if (!raw) return null;
  const keys = [];
  let any = false;
  for (const part of raw.split(',')) {
    let key;
    try {
      key = decodeURIComponent(part.trim());
    } catch {
      continue;
    }
    // `model` (always shown) is how a choice of no other column is written.
    any ||= key === MODEL;
    const known =
      BUILT_IN_KEYS.includes(key) || (key.startsWith(METRIC) && key.length > METRIC.length);
    if (known && !keys.includes(key)) keys.push(key);
  }
  return keys.length || any ? keys : null;
}

/** `columns=` for a choice; '' for the default one. */
export function writeColumns(keys) {
  if (
    !keys ||
    (keys.length === BUILT_IN_KEYS.length && keys.every((k, i) => k === BUILT_IN_KEYS[i]))
  )
    return '';
  // A metric name may hold a comma or a percent sign; nothing else needs escaping here.
  const escaped = (key) => key.replace(/%/g, '%25').replace(/,/g, '%2C');
  return keys.length ? keys.map(escaped).join(',') : MODEL;
}

function metricColumn(name) {
  return { key: METRIC + name, label: name, sort: METRIC + name, num: true, metric: name };
}

/** The columns shown: the chosen ones, in catalog order, and the metric sorted by. */
export function shownColumns(state) {
  const chosen = state.columns || BUILT_IN_KEYS;
  const shown = BUILT_IN.filter((c) => chosen.includes(c.key));
  for (const key of chosen)
    if (key.startsWith(METRIC)) shown.push(metricColumn(key.slice(METRIC.length)));
  if (state.sort.startsWith(METRIC) && !chosen.includes(state.sort))
    shown.push({ ...metricColumn(state.sort.slice(METRIC.length)), sortedOnly: true });
  return shown;
}

/** 'asc' or 'desc': how the rows are ordered; `directions` maps a metric to lower/higher. */
export function effectiveOrder(state, directions) {
  if (state.order) return state.order;
  if (!state.sort.startsWith(METRIC)) return 'desc';
  const better = directions.get(state.sort.slice(METRIC.length));
  return better === 'lower' ? 'asc' : better === 'higher' ? 'desc' : null;
}

/** The sort after a click on a header: the other order, or a new column in its default one. */
export function clickedSort(state, sort, directions) {
  if (state.sort !== sort) return { sort, order: '' };
  const now = effectiveOrder(state, directions) || 'desc';
  const order = now === 'asc' ? 'desc' : 'asc';
  return { sort, order: !sort.startsWith(METRIC) && order === 'desc' ? '' : order };
}

const ARIA = { asc: 'ascending', desc: 'descending' };

/** The header row: the tick box, the model, then each column; sortable ones are buttons. */
export function headerRow(columns, state, directions, onSort) {
  const order = effectiveOrder(state, directions);
  const head = (col) => {
    if (!col.sort) return el('th', { scope: 'col', 'data-column': col.key }, col.label);
    const current = state.sort === col.sort;
    const arrow = current ? (order === 'asc' ? '▲' : order === 'desc' ? '▼' : '◆') : '↕';
    const th = el(
      'th',
      {
        scope: 'col',
        class: [
          col.num ? 'num' : null,
          current ? 'sorted' : null,
          col.metric ? 'metric-col' : null,
        ],
        'data-column': col.key,
        'aria-sort': current ? ARIA[order] || 'other' : null,
      },
      el(
        'button',
        {
          type: 'button',
          class: 'sort-head',
          'data-sort': col.sort,
          title: current
            ? 'Sorted by this column; click for the other order'
            : `Sort by ${col.label}`,
          onclick: () => onSort(col.sort),
        },
        col.metric ? el('span', { class: 'mono' }, col.label) : col.label,
        el('span', { class: 'sort-mark', 'aria-hidden': 'true' }, arrow),
        current ? null : srOnly(', sortable'),
      ),
    );
    return th;
  };
  return el(
    'tr',
    {},
    el('th', { scope: 'col' }, srOnly('Select')),
    el('th', { scope: 'col' }, 'Model'),
    columns.map(head),
  );
}

function datasetList(ids) {
  const item = (id) => el('li', { class: 'mono' }, id);
  const rest = ids.slice(SHOWN_DATASETS);
  return [
    el('ul', { class: 'inline-list' }, ids.slice(0, SHOWN_DATASETS).map(item)),
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

const CELLS = {
  version: (m) =>
    el(
      'td',
      { title: `${m.lineageId} @${m.versionNumber}`, class: 'nowrap' },
      el('code', {}, `@${m.versionNumber}`),
      m.isLatest ? [' ', el('span', { class: 'badge' }, 'latest')] : null,
    ),
  family: (m) => el('td', { 'data-family': m.family, class: 'nowrap' }, familyLabel(m.family)),
  quality_score: (m) =>
    el('td', { class: 'num quality', 'data-score': String(m.qualityScore) }, scoreView(m)),
  parameter_count: (m) =>
    el('td', { class: 'num', title: String(m.parameterCount) }, fmtCount(m.parameterCount)),
  trained_on: (m) =>
    el(
      'td',
      {},
      m.trainedOn.length
        ? datasetList(m.trainedOn)
        : el('span', { class: 'missing' }, 'none linked'),
    ),
  created_at: (m) =>
    el(
      'td',
      { class: 'small nowrap' },
      el('time', { datetime: m.createdAt }, fmtDate(m.createdAt)),
    ),
};

function metricCell(m, name) {
  const value = Object.hasOwn(m.metrics, name) ? m.metrics[name] : undefined;
  if (typeof value !== 'number')
    return el('td', { class: 'num metric', 'data-metric': name, 'data-missing': '' });
  return el(
    'td',
    { class: 'num metric', 'data-metric': name, 'data-value': String(value), title: String(value) },
    fmtNum(value),
  );
}

/** One table row for a model, with the columns shown. */
export function modelRow(m, columns, selected) {
  return el(
    'tr',
    { 'data-model-id': m.id, class: selected ? 'is-selected' : null },
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
    columns.map((col) =>
      col.metric !== undefined ? metricCell(m, col.metric) : CELLS[col.key](m),
    ),
  );
}

// ----------------------------------------------------------------------------- chooser

function box(key, label, checked, mono) {
  const id = 'col-' + encodeURIComponent(key).replace(/[^A-Za-z0-9_-]/g, '_');
  return el(
    'span',
    { class: 'check', 'data-column': key },
    el('input', { type: 'checkbox', id, value: key, checked, name: 'column' }),
    el('label', { for: id, class: mono ? 'mono' : null }, label),
  );
}

/** The column chooser in `root`; `onChange(keys)` with every column ticked, in order. */
export function createChooser(root, onChange) {
  let metricNames = [];
  let chosen = BUILT_IN_KEYS;
  const builtIns = el(
    'fieldset',
    { class: 'plain col-group' },
    el('legend', {}, 'Built-in columns'),
  );
  const find = el('input', {
    type: 'search',
    id: 'col-find',
    placeholder: 'find a metric',
    autocomplete: 'off',
  });
  const metrics = el('div', { class: 'col-metrics', id: 'col-metrics' });
  const metricGroup = el(
    'fieldset',
    { class: 'plain col-group' },
    el('legend', {}, 'Metric columns'),
    el('label', { for: 'col-find', class: 'sr-only' }, 'Find a metric'),
    find,
    metrics,
  );
  root.replaceChildren(builtIns, metricGroup);

  function draw() {
    builtIns.replaceChildren(
      builtIns.firstElementChild,
      ...BUILT_IN.map((c) => box(c.key, c.label, chosen.includes(c.key), false)),
    );
    const extra = chosen.filter((k) => k.startsWith(METRIC)).map((k) => k.slice(METRIC.length));
    const names = [...new Set([...metricNames, ...extra])];
    metrics.replaceChildren(
      ...names.map((n) => box(METRIC + n, n, chosen.includes(METRIC + n), true)),
    );
    filterMetrics();
  }

  function filterMetrics() {
    const needle = find.value.trim().toLowerCase();
    for (const item of metrics.children) {
      item.hidden = Boolean(needle) && !item.dataset.column.toLowerCase().includes(needle);
    }
  }

  find.addEventListener('input', filterMetrics);
  root.addEventListener('change', (event) => {
    if (event.target.name !== 'column') return;
    const ticked = new Set(
      [...root.querySelectorAll('input[name="column"]:checked')].map((i) => i.value),
    );
    const order = [...BUILT_IN_KEYS, ...[...metrics.children].map((c) => c.dataset.column)];
    chosen = order.filter((k) => ticked.has(k));
    onChange(chosen);
  });

  return {
    set(keys, names) {
      chosen = keys || BUILT_IN_KEYS;
      if (names) metricNames = names;
      draw();
    },
  };
}
