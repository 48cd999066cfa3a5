// What the compare page's URL holds besides the ids: the baseline model, which tables show only
// their differences, and which sections are shown. A permalink carries all of it, so opening it
// restores the view.
//
//   ?ids=a,b,c            the models, in order (version ids in a permalink)
//   &baseline=b           the model deltas and "differs from the baseline" are taken against
//   &diff=config,metadata the tables showing only differing rows (absent: the default, config)
//   &sections=metrics,... the sections shown (absent: all)

export const SECTIONS = [
  ['models', 'Models'],
  ['metrics', 'Metrics'],
  ['charts', 'Charts'],
  ['config', 'Training configuration'],
  ['metadata', 'Metadata'],
  ['inputs', 'Training data'],
  ['provenance', 'Provenance'],
];

/** Whether `ref` (a version id, a lineage id or `lineage@alias`) names compared model `m`. */
export function refNames(ref, m) {
  const [base, alias] = ref.split('@');
  if (alias !== undefined) return m.lineageId === base && m.aliases.includes(alias);
  return m.id === ref || m.lineageId === ref;
}

export const DIFF_TABLES = ['config', 'metadata'];
const DEFAULT_DIFF = ['config'];

function listParam(params, name) {
  if (!params.has(name)) return null;
  return params
    .getAll(name)
    .flatMap((v) => v.split(/[\s,]+/))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Ids from ?ids=a,b and/or ?ids=a&ids=b, trimmed, empty ones dropped, in the order given. */
export function parseIds(search) {
  return listParam(new URLSearchParams(search), 'ids') || [];
}

/** The view state a URL asks for; unknown section or table names are ignored. */
export function parseState(search) {
  const params = new URLSearchParams(search);
  const known = new Set(SECTIONS.map(([id]) => id));
  const diff = listParam(params, 'diff');
  const sections = listParam(params, 'sections');
  return {
    baseline: (params.get('baseline') || '').trim() || null,
    diff: new Set(diff === null ? DEFAULT_DIFF : diff.filter((t) => DIFF_TABLES.includes(t))),
    sections: new Set(sections === null ? known : sections.filter((s) => known.has(s))),
  };
}

/** The URL (path and query) of the comparison of `ids` in the view `state`. */
export function stateHref(ids, state) {
  let query = 'ids=' + ids.map(encodeURIComponent).join(',');
  if (state.baseline && state.baseline !== ids[0]) {
    query += '&baseline=' + encodeURIComponent(state.baseline);
  }
  const diff = DIFF_TABLES.filter((t) => state.diff.has(t));
  if (diff.join() !== DEFAULT_DIFF.join()) query += '&diff=' + diff.join(',');
  const sections = SECTIONS.map(([id]) => id).filter((s) => state.sections.has(s));
  if (sections.length !== SECTIONS.length) query += '&sections=' + sections.join(',');
  return '/models/compare?' + query;
}
