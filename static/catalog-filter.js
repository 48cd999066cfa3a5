// The catalog's filter text: what the builder rows and the search box write into `filter=`, and
// how a URL's filter text is read back into rows. The server parses the text (it is the one
// definition of the language); this module only writes the few forms the builder offers, and
// recognises them again by writing what it read and comparing token by token.

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'CONTAINS', 'TRUE', 'FALSE']);
const OPERATORS = ['<=', '>=', '!=', '=', '<', '>'];
const BARE_METRIC = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORD_START = /[A-Za-z_]/;
const WORD = /[A-Za-z0-9_]/;
const BARE_PARAM = /[A-Za-z0-9_./-]/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

/** The comparisons a threshold row offers, and `has` for "the model has the metric / tag". */
export const THRESHOLD_OPS = ['<', '<=', '>', '>=', '='];
export const PROVENANCE_COMPLETE = 'complete';
export const PROVENANCE_INCOMPLETE = 'incomplete';

function quoted(text, start) {
  const quote = text[start];
  let i = start + 1;
  let value = '';
  for (;;) {
    const end = text.indexOf(quote, i);
    if (end < 0) return null;
    value += text.slice(i, end);
    if (text[end + 1] === quote) {
      value += quote;
      i = end + 2;
      continue;
    }
    return { value, end: end + 1 };
  }
}

/** The tokens of `text` (kind, value, pos), or null where it is not plain enough to read:
 *  the server, not this reader, says what is wrong with it. */
export function tokenize(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'" || c === '"') {
      const q = quoted(text, i);
      if (!q) return null;
      out.push({ kind: 'STRING', value: q.value, pos: i });
      i = q.end;
    } else if (/[0-9.-]/.test(c)) {
      const m = NUMBER.exec(text.slice(i));
      if (!m) return null;
      out.push({ kind: 'NUMBER', value: m[0], pos: i });
      i += m[0].length;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < text.length && WORD.test(text[j])) j += 1;
      const word = text.slice(i, j);
      if (KEYWORDS.has(word.toUpperCase())) {
        out.push({ kind: word.toUpperCase(), value: word.toUpperCase(), pos: i });
        i = j;
      } else if (text[j] !== '.') {
        out.push({ kind: 'FIELD', value: word, param: null, pos: i });
        i = j;
      } else if (text[j + 1] === '`' || text[j + 1] === '"') {
        const q = quoted(text, j + 1);
        if (!q) return null;
        out.push({ kind: 'FIELD', value: word, param: q.value, pos: i });
        i = q.end;
      } else {
        let end = j + 1;
        while (end < text.length && BARE_PARAM.test(text[end])) end += 1;
        out.push({ kind: 'FIELD', value: word, param: text.slice(j + 1, end), pos: i });
        i = end;
      }
    } else if (c === '(' || c === ')') {
      out.push({ kind: c, value: c, pos: i });
      i += 1;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) return null;
      out.push({ kind: 'OP', value: op, pos: i });
      i += op.length;
    }
  }
  return out;
}

function sameTokens(a, b) {
  return (
    a.length === b.length &&
    a.every(
      (t, i) =>
        t.kind === b[i].kind &&
        t.value === b[i].value &&
        (t.kind !== 'FIELD' || t.param === b[i].param),
    )
  );
}

export function quote(text) {
  return "'" + String(text).replace(/'/g, "''") + "'";
}

function metricField(name) {
  return BARE_METRIC.test(name) ? `metrics.${name}` : 'metrics.`' + name.replace(/`/g, '``') + '`';
}

/** One builder row as filter text; '' while the row is not filled in. */
export function rowText(row) {
  const value = String(row.value ?? '').trim();
  switch (row.kind) {
    case 'metric': {
      const name = String(row.name ?? '').trim();
      if (!name) return '';
      if (row.op === 'has') return `${metricField(name)} IS NOT NULL`;
      return value ? `${metricField(name)} ${row.op} ${value}` : '';
    }
    case 'quality':
      return value ? `quality_score ${row.op} ${value}` : '';
    case 'tag': {
      const key = String(row.key ?? '').trim();
      if (!key) return '';
      return row.op === 'has'
        ? `tags.${key} IS NOT NULL`
        : `tags.${key} = ${quote(row.value ?? '')}`;
    }
    case 'alias':
      return value ? `alias = ${quote(value)}` : '';
    case 'provenance':
      if (row.value === PROVENANCE_COMPLETE) return 'provenance_complete = true';
      if (row.value === PROVENANCE_INCOMPLETE) return 'provenance_complete = false';
      return value ? `warning = ${quote(value)}` : '';
    default:
      return '';
  }
}

function hasTopLevelOr(tokens) {
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === '(') depth += 1;
    else if (t.kind === ')') depth -= 1;
    else if (t.kind === 'OR' && depth === 0) return true;
  }
  return false;
}

/** The builder's part of the filter: the filled rows joined by AND, or by OR ("any of"). */
export function rowsText(rows, join) {
  const parts = rows.map(rowText).filter(Boolean);
  return parts.join(join === 'or' ? ' OR ' : ' AND ');
}

/** The whole `filter=` text: the search box's text leaf AND the builder's (or custom) text. */
export function composeFilter(search, body) {
  const term = search.trim() ? `text CONTAINS ${quote(search.trim())}` : '';
  if (!term) return body;
  if (!body) return term;
  const tokens = tokenize(body);
  const grouped = !tokens || hasTopLevelOr(tokens) ? `(${body})` : body;
  return `${term} AND ${grouped}`;
}

// ----------------------------------------------------------------------------- reading back

function readRow(t, at) {
  const field = t[at];
  if (!field || field.kind !== 'FIELD') return null;
  const op = t[at + 1];
  const value = t[at + 2];
  const isNotNull =
    op?.kind === 'IS' && value?.kind === 'NOT' && t[at + 3]?.kind === 'NULL' ? 4 : 0;
  const threshold = op?.kind === 'OP' && THRESHOLD_OPS.includes(op.value);
  if ((field.value === 'metrics' || field.value === 'metric') && field.param !== null) {
    if (isNotNull)
      return { row: { kind: 'metric', name: field.param, op: 'has', value: '' }, used: 4 };
    if (threshold && value?.kind === 'NUMBER')
      return {
        row: { kind: 'metric', name: field.param, op: op.value, value: value.value },
        used: 3,
      };
    return null;
  }
  if ((field.value === 'tags' || field.value === 'tag') && field.param !== null) {
    if (isNotNull) return { row: { kind: 'tag', key: field.param, op: 'has', value: '' }, used: 4 };
    if (op?.value === '=' && value?.kind === 'STRING')
      return { row: { kind: 'tag', key: field.param, op: '=', value: value.value }, used: 3 };
    return null;
  }
  if (field.param !== null) return null;
  if (field.value === 'quality_score' && threshold && value?.kind === 'NUMBER')
    return { row: { kind: 'quality', op: op.value, value: value.value }, used: 3 };
  if (op?.value !== '=') return null;
  if (field.value === 'alias' && value?.kind === 'STRING')
    return { row: { kind: 'alias', value: value.value }, used: 3 };
  if (field.value === 'warning' && value?.kind === 'STRING')
    return { row: { kind: 'provenance', value: value.value }, used: 3 };
  if (field.value === 'provenance_complete' && (value?.kind === 'TRUE' || value?.kind === 'FALSE'))
    return {
      row: {
        kind: 'provenance',
        value: value.kind === 'TRUE' ? PROVENANCE_COMPLETE : PROVENANCE_INCOMPLETE,
      },
      used: 3,
    };
  return null;
}

/** Rows joined by one connective over the whole of `t`, or null. */
function readRows(t) {
  const rows = [];
  let join = null;
  let at = 0;
  for (;;) {
    const read = readRow(t, at);
    if (!read) return null;
    rows.push(read.row);
    at += read.used;
    if (at === t.length) return { rows, join: join || 'and' };
    const connective = t[at].kind === 'AND' ? 'and' : t[at].kind === 'OR' ? 'or' : null;
    if (!connective || (join && join !== connective)) return null;
    join = connective;
    at += 1;
  }
}

function isSearchLeaf(t) {
  return (
    t.length >= 3 &&
    t[0].kind === 'FIELD' &&
    t[0].value === 'text' &&
    t[0].param === null &&
    t[1].kind === 'CONTAINS' &&
    t[2].kind === 'STRING'
  );
}

/** What the page's controls show for a filter text: {search, rows, join} when it is the
 *  builder's own form, else {search, custom} with the text the builder cannot show as rows. */
export function readFilter(text) {
  const trimmed = (text || '').trim();
  const empty = { search: '', rows: [], join: 'and', custom: '' };
  if (!trimmed) return empty;
  const tokens = tokenize(trimmed);
  if (!tokens) return { ...empty, custom: trimmed };
  let search = '';
  let body = tokens;
  let bodyText = trimmed;
  if (isSearchLeaf(tokens) && (tokens.length === 3 || tokens[3].kind === 'AND')) {
    const rest = tokens.slice(4);
    // Peeling the leading `text CONTAINS` off is only sound when the rest has no OR of its own.
    if (tokens.length === 3 || !hasTopLevelOr(rest)) {
      search = tokens[2].value;
      body = rest;
      bodyText = tokens.length === 3 ? '' : trimmed.slice(tokens[4].pos);
    }
  }
  if (!body.length) return { ...empty, search };
  let inner = body;
  if (search && body[0].kind === '(' && body[body.length - 1].kind === ')')
    inner = body.slice(1, -1);
  const read = readRows(inner);
  if (read) {
    const again = tokenize(composeFilter(search, rowsText(read.rows, read.join)));
    if (again && sameTokens(again, tokens)) return { ...empty, search, ...read };
  }
  return { ...empty, search, custom: bodyText };
}
