// Small DOM and formatting helpers shared by the pages. No framework: elements are built with
// el()/svg(), never from HTML strings, so text from the registry is always inserted as text.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'text') {
      node.textContent = value;
    } else if (value === true) {
      node.setAttribute(key, '');
    } else {
      node.setAttribute(key, String(value));
    }
  }
}

/** An HTML element: el('a', {href: '/x', class: 'link'}, 'text', child, [more]). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element, same calling convention as el(). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** Text only screen readers announce. */
export function srOnly(text) {
  return el('span', { class: 'sr-only' }, text);
}

export const KINDS = {
  MODEL: { label: 'Model', color: '#0072B2' },
  DATASET: { label: 'Dataset', color: '#009E73' },
  ANALYSIS: { label: 'Analysis', color: '#E69F00' },
  HYPOTHESIS: { label: 'Hypothesis', color: '#CC79A7' },
};

export const FAMILIES = {
  BIOPHYSICAL: 'Biophysical',
  DEEP_LEARNING: 'Deep learning',
  STATISTICAL: 'Statistical',
};

/** Family label from the enum (BIOPHYSICAL) or the metadata value (biophysical). */
export function familyLabel(value) {
  const key = String(value).toUpperCase();
  return FAMILIES[key] || String(value);
}

/** "dataset-sea-ad-snrna @2" */
export function versionLabel(artifact) {
  return `${artifact.lineageId} @${artifact.versionNumber}`;
}

export function modelHref(id) {
  return '/models/' + encodeURIComponent(id);
}

/** The model page of the version `lineage@alias` points at, whichever that is when opened. */
export function aliasHref(lineageId, alias) {
  return modelHref(lineageId) + '@' + encodeURIComponent(alias);
}

export function compareHref(ids) {
  return '/models/compare?ids=' + ids.map(encodeURIComponent).join(',');
}

export function catalogHref(params) {
  const query = new URLSearchParams(params).toString();
  return '/models' + (query ? '?' + query : '');
}

/** A model letter for columns and charts: A, B, C ... */
export function letter(index) {
  return String.fromCharCode(65 + index);
}

/** A readable number: integers grouped, others to 4 significant digits. */
export function fmtNum(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return String(Number(value.toPrecision(4)));
}

/** A signed difference, "+0.04" or "-28.3"; "±0" when equal. */
export function fmtDelta(value) {
  if (value === null || value === undefined) return '';
  const rounded = Number(value.toPrecision(4));
  if (rounded === 0) return '±0';
  return (rounded > 0 ? '+' : '') + fmtNum(rounded);
}

export function fmtScore(value) {
  return typeof value === 'number' ? value.toFixed(2) : '—';
}

/** A compact count: 12, 3,400, 1.2M, 7B. */
export function fmtCount(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  if (Math.abs(n) < 100000) return n.toLocaleString('en-US');
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(
    n,
  );
}

export function fmtDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** A JSON value exactly as registered: strings as they are, the rest as JSON (no rounding). */
export function fmtJson(value) {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The effective score with the warning flag when provenance is incomplete. */
export function scoreView(model, { long = false } = {}) {
  const complete = model.provenance.complete;
  const capped = model.rawQualityScore > model.qualityScore;
  const warnings = model.provenance.warnings || [];
  const tip = warnings.map((w) => w.message).join('\n');
  const parts = [el('span', { class: 'score-value' }, fmtScore(model.qualityScore))];
  if (!complete) {
    const what = capped
      ? `capped (raw ${fmtScore(model.rawQualityScore)})`
      : 'incomplete provenance';
    parts.push(
      el(
        'span',
        { class: 'flag', title: tip || 'Provenance is incomplete', 'data-flag': 'incomplete' },
        el('span', { 'aria-hidden': 'true' }, '⚠ '),
        srOnly('Warning: '),
        what,
      ),
    );
  }
  if (complete && long) {
    parts.push(
      el('span', { class: 'ok small', 'data-flag': 'complete' }, ' ✓ provenance complete'),
    );
  }
  const view = el('span', { class: 'score' }, parts);
  if (long && warnings.length) {
    return el(
      'div',
      { class: 'score-block' },
      view,
      el(
        'ul',
        { class: 'warnings', 'aria-label': 'Provenance warnings' },
        warnings.map((w) =>
          el('li', { 'data-code': w.code }, el('code', {}, w.code), ' ', w.message),
        ),
      ),
    );
  }
  return view;
}

/** The "archived" badge, with the reason on hover and beside it when `long`; null if live. */
export function archivedBadge(artifact, { long = false } = {}) {
  if (!artifact.archived) return null;
  const reason = artifact.archivedReason || '';
  return el(
    'span',
    { class: 'archived-note' },
    el('span', { class: 'badge archived-badge', title: reason, 'data-flag': 'archived' }, 'archived'),
    long && reason ? el('span', { class: 'muted archived-reason' }, ` ${reason}`) : null,
  );
}

/** A version's tags as small chips, key=value (the key alone when the value is empty). */
export function tagChips(tags) {
  if (!tags || !tags.length) return null;
  return el(
    'span',
    { class: 'tag-chips', 'aria-label': 'Tags' },
    tags.map((t) =>
      el('span', { class: 'tag-chip', 'data-tag': t.key }, t.value ? `${t.key}=${t.value}` : t.key),
    ),
  );
}

/** A version's aliases as badges, each linking to the model page by `lineage@alias`. */
export function aliasBadges(lineageId, aliases) {
  if (!aliases || !aliases.length) return null;
  return el(
    'span',
    { class: 'alias-badges', 'aria-label': 'Aliases' },
    aliases.map((alias) =>
      el(
        'a',
        {
          class: 'badge alias-badge',
          href: aliasHref(lineageId, alias),
          'data-alias': alias,
          title: `${lineageId}@${alias} points at this version`,
        },
        alias,
      ),
    ),
  );
}

/** A small "kind" chip in the kind's colour. */
export function kindChip(kind) {
  const info = KINDS[kind] || { label: kind, color: '#6e7781' };
  return el('span', { class: 'kind-chip', 'data-kind': kind }, info.label);
}

/** Replace the content of `target` with an error panel: a title, the message, and actions. */
export function showError(target, title, message, ...actions) {
  target.replaceChildren(
    el('h2', {}, title),
    message ? el('p', {}, message) : null,
    actions.length ? el('p', { class: 'actions' }, actions) : null,
  );
  target.hidden = false;
}

/** Download `text` as a file without leaving the page (a blob: URL on this origin). */
export function download(filename, mime, text) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = el('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** Mark the current page in the site navigation. */
export function markNav(path) {
  for (const a of document.querySelectorAll('.site-nav a')) {
    if (a.getAttribute('href') === path) a.setAttribute('aria-current', 'page');
  }
}
