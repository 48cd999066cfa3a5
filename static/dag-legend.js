// What a provenance graph's marks mean: edge colours per link type, pinned and floating
// strokes, and the sharing styles of a merged graph. Shared by dag.js and its node details.

import { el, KINDS, versionLabel, modelHref, catalogHref } from './ui.js';

export const EDGE_LABELS = {
  TRAINED_ON: 'trained on',
  PRODUCED_BY: 'produced by',
  TESTS_HYPOTHESIS: 'tests',
  USES: 'uses',
  ADDRESSES: 'addresses',
  DERIVED_FROM: 'derived from',
};

// One colour per link type, dark enough for 3:1 against white and apart from each other.
export const EDGE_COLORS = {
  TRAINED_ON: '#0a6ebd',
  PRODUCED_BY: '#b35900',
  TESTS_HYPOTHESIS: '#a3368a',
  USES: '#1a7f37',
  ADDRESSES: '#7a4fd0',
  DERIVED_FROM: '#4d5560',
};
export const EDGE_FALLBACK_COLOR = '#6e7781';

export const SHARING_LABELS = {
  all: 'shared by every compared model',
  some: 'shared by some compared models',
  one: 'used by one compared model',
};

/** Tinted fill for a kind colour (#rrggbb -> rgba at 14%). */
export function tint(hex, alpha = 0.14) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function edgeLabel(type) {
  return EDGE_LABELS[type] || String(type).toLowerCase().replace(/_/g, ' ');
}

function kindItem(kind) {
  const info = KINDS[kind] || { label: kind, color: EDGE_FALLBACK_COLOR };
  return el(
    'li',
    { 'data-kind': kind },
    el('span', {
      class: 'swatch',
      style: `background:${tint(info.color, 0.25)};border-color:${info.color}`,
    }),
    info.label,
  );
}

/** The artifact kinds legend shared by every graph on a page. */
export function dagLegend() {
  return el(
    'ul',
    { class: 'legend', 'aria-label': 'Legend of the provenance graphs' },
    Object.keys(KINDS).map(kindItem),
    el('li', {}, el('span', { class: 'swatch shared' }), 'ancestor shared by all compared models'),
    el('li', {}, el('span', { class: 'swatch line' }), 'pinned link'),
    el(
      'li',
      {},
      el('span', { class: 'swatch line dashed' }),
      'floating link (follows the latest version)',
    ),
  );
}

/**
 * The legend of one graph: only the link types, link styles and node styles it draws.
 * `present` holds the sets collected while drawing: kinds, types, pinned, floating, sharing.
 */
export function graphLegend(present, { kinds = false, highlight = false } = {}) {
  const order = (known, found) => [
    ...Object.keys(known).filter((k) => found.has(k)),
    ...[...found].filter((k) => !(k in known)),
  ];
  return el(
    'ul',
    { class: 'legend dag-legend', 'aria-label': 'What the marks of this graph mean' },
    kinds ? order(KINDS, present.kinds).map(kindItem) : null,
    order(EDGE_LABELS, present.types).map((type) =>
      el(
        'li',
        { 'data-edge-type': type },
        el('span', {
          class: 'swatch line thick',
          style: `border-top-color:${EDGE_COLORS[type] || EDGE_FALLBACK_COLOR}`,
        }),
        edgeLabel(type),
      ),
    ),
    present.pinned
      ? el('li', { 'data-edge-style': 'pinned' }, el('span', { class: 'swatch line' }), 'pinned')
      : null,
    present.floating
      ? el(
          'li',
          { 'data-edge-style': 'floating' },
          el('span', { class: 'swatch line dashed' }),
          'floating (follows the latest version)',
        )
      : null,
    ['all', 'some', 'one']
      .filter((s) => present.sharing.has(s))
      .map((s) =>
        el(
          'li',
          { 'data-sharing': s },
          el('span', { class: `swatch node-share share-${s}` }),
          SHARING_LABELS[s],
        ),
      ),
    highlight && present.highlighted
      ? el(
          'li',
          { 'data-highlight': 'true' },
          el('span', { class: 'swatch node-highlight' }),
          'compared model',
        )
      : null,
  );
}

function nodeLink(artifact) {
  switch (artifact.kind) {
    case 'MODEL':
      return el('a', { href: modelHref(artifact.id) }, 'Open this model version');
    case 'DATASET':
      return el(
        'a',
        { href: catalogHref({ dataset: artifact.id }) },
        'Models trained on this version',
      );
    case 'HYPOTHESIS':
      return el(
        'a',
        { href: catalogHref({ hypothesis: artifact.id }) },
        'Models testing this hypothesis',
      );
    default:
      return el('a', { href: '/graphql' }, 'Query this analysis in GraphiQL');
  }
}

function sharedText(n, share) {
  if (share === 'all' || (share === undefined && n.sharedByAll))
    return 'yes, by every compared model';
  const who = Array.isArray(n.modelIds) && n.modelIds.length ? `: ${n.modelIds.join(', ')}` : '';
  if (share === 'some') return `by some compared models${who}`;
  if (share === 'one') return `no, one compared model only${who}`;
  return 'no';
}

/** The details panel's content for node `n`; `share` is its sharing value when known. */
export function nodeDetails(n, dag, byId, share) {
  const a = n.artifact || { id: n.id, kind: 'UNKNOWN', title: n.id };
  const label = (id) => {
    const other = byId.get(id)?.artifact;
    return other ? versionLabel(other) : id;
  };
  const out = dag.edges.filter((e) => e.source === n.id);
  const into = dag.edges.filter((e) => e.target === n.id);
  const floating = (e) => (e.pinned ? '' : el('span', { class: 'muted' }, ' (floating)'));
  const dependsOn = (e) =>
    el('li', {}, `${edgeLabel(e.type)} `, el('code', {}, label(e.target)), floating(e));
  const usedBy = (e) =>
    el('li', {}, el('code', {}, label(e.source)), ` (${edgeLabel(e.type)})`, floating(e));
  const compared = share !== undefined || 'sharedByAll' in n;
  return [
    el('h3', {}, a.title),
    el(
      'dl',
      {},
      el('dt', {}, 'Kind'),
      el('dd', {}, KINDS[a.kind]?.label || a.kind),
      el('dt', {}, 'Id'),
      el('dd', {}, el('code', {}, a.id)),
      a.lineageId
        ? [
            el('dt', {}, 'Version'),
            el('dd', {}, el('code', {}, versionLabel(a)), a.isLatest ? ' (latest)' : ''),
          ]
        : null,
      compared ? [el('dt', {}, 'Shared'), el('dd', {}, sharedText(n, share))] : null,
      out.length
        ? [el('dt', {}, 'Depends on'), el('dd', {}, el('ul', {}, out.map(dependsOn)))]
        : null,
      into.length ? [el('dt', {}, 'Used by'), el('dd', {}, el('ul', {}, into.map(usedBy)))] : null,
    ),
    n.artifact ? el('p', {}, nodeLink(a)) : null,
  ];
}
