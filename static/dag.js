// A provenance DAG ({modelId?, nodes, edges} as compareModels' ProvenanceDag gives it) drawn as
// SVG, laid out by the vendored dagre (window.dagre, loaded by a classic <script> first).
//
// Layout: rankdir LR with each edge added from the dependency to the dependent, so inputs
// (datasets, hypotheses) sit on the left and the model on the right. The drawn
// <path class="edge"> keeps the API's meaning in data-source (the dependent) and data-target
// (the dependency); its arrow points at the dependent ("flows into").
//
// The SVG opens fitted to its box: CSS scales the viewBox to the box's width (never above 100%,
// never below MIN_SCALE, past which the box scrolls inside itself). Zooming sets a fixed width.

import { el, svg, KINDS, versionLabel, srOnly } from './ui.js';
import {
  KIND_FONT,
  LABEL_FONT,
  arrowMarker,
  neighbour,
  pathFor,
  shortLabel,
  textWidth,
} from './dag-geometry.js';
import {
  EDGE_COLORS,
  EDGE_FALLBACK_COLOR,
  SHARING_LABELS,
  edgeLabel,
  graphLegend,
  nodeDetails,
  tint,
} from './dag-legend.js';

export { EDGE_LABELS, dagLegend } from './dag-legend.js';

const NODE_H = 42;
const PAD_X = 12;
const STRIPE = 6;
// Below this a graph is no longer an overview but noise: the box scrolls instead.
const MIN_SCALE = 0.25;
const SCALES = [0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1, 1.25, 1.5, 2];

let uid = 0;

/**
 * A <figure> with one provenance DAG: a caption with zoom buttons, a legend of what this graph
 * draws, the SVG in a scroll box fitted to its width, and a details panel for the node chosen by
 * click or Enter/Space. Arrow keys move between nodes; a focused node is scrolled into view.
 *
 * Options: `caption` (nodes), `modelTitle`, `kinds` (list artifact kinds in the legend),
 * `sharing(nodeId) -> 'all' | 'some' | 'one' | null` and `highlight(nodeId) -> boolean` (merged
 * graphs: nodes drawn per sharing value; the compared models emphasised), `label` (the SVG's name).
 */
export function renderDag(dag, options = {}) {
  const { caption, modelTitle, kinds = false, sharing = null, highlight = null } = options;
  const id = ++uid;
  const nodes = dag.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const drawable = dag.edges.filter((e) => byId.has(e.source) && byId.has(e.target));
  const skipped = dag.edges.length - drawable.length;
  const subject = dag.modelId || options.label || 'the compared models';

  const g = new window.dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 48, edgesep: 10, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map();
  for (const n of nodes) {
    const full = n.artifact ? versionLabel(n.artifact) : n.id;
    const label = shortLabel(full, n.artifact);
    const kind = n.artifact?.kind || 'UNKNOWN';
    const kindLabel = (KINDS[kind]?.label || kind).toUpperCase();
    const width =
      Math.ceil(Math.max(textWidth(label, LABEL_FONT), textWidth(kindLabel, KIND_FONT) * 1.1)) +
      2 * PAD_X +
      STRIPE;
    sizes.set(n.id, { width, height: NODE_H, label, full, kind, kindLabel });
    g.setNode(n.id, { width, height: NODE_H });
  }
  drawable.forEach((e, i) => g.setEdge(e.target, e.source, {}, 'e' + i));
  window.dagre.layout(g);
  const graph = g.graph();
  const width = Math.ceil(graph.width || 100);
  const height = Math.ceil(graph.height || NODE_H + 16);

  const present = {
    kinds: new Set(),
    types: new Set(),
    pinned: false,
    floating: false,
    sharing: new Set(),
    highlighted: false,
  };
  const markers = svg('defs', {});
  const markerIds = new Map();
  const markerFor = (type) => {
    if (!markerIds.has(type)) {
      const markerId = `arrow-${id}-${markerIds.size}`;
      markerIds.set(type, markerId);
      markers.append(arrowMarker(markerId, EDGE_COLORS[type] || EDGE_FALLBACK_COLOR));
    }
    return markerIds.get(type);
  };

  const root = svg('svg', {
    class: 'dag-svg',
    role: 'group',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'xMinYMin meet',
    'aria-label':
      `Provenance graph of ${subject}: ${nodes.length} artifacts, ${dag.edges.length} links. ` +
      'Inputs on the left, the model on the right. Arrow keys move between nodes; ' +
      'Enter shows details.',
    'data-model-id': dag.modelId || null,
  });
  root.append(markers);

  const edgeLayer = svg('g', { class: 'edges' });
  drawable.forEach((e, i) => {
    const laid = g.edge({ v: e.target, w: e.source, name: 'e' + i });
    const from = sizes.get(e.source).full;
    const to = sizes.get(e.target).full;
    present.types.add(e.type);
    if (e.pinned) present.pinned = true;
    else present.floating = true;
    edgeLayer.append(
      svg(
        'path',
        {
          class: ['edge', e.pinned ? 'pinned' : 'floating'],
          d: pathFor(laid.points),
          stroke: EDGE_COLORS[e.type] || EDGE_FALLBACK_COLOR,
          'marker-end': `url(#${markerFor(e.type)})`,
          'data-source': e.source,
          'data-target': e.target,
          'data-type': e.type,
        },
        svg(
          'title',
          {},
          `${from} ${edgeLabel(e.type)} ${to} (${e.pinned ? 'pinned' : 'floating'})`,
        ),
      ),
    );
  });
  root.append(edgeLayer);

  const details = el(
    'div',
    { class: 'node-details', 'aria-live': 'polite' },
    el('p', { class: 'muted' }, 'Click a node, or Tab to it and press Enter, to see its details.'),
  );

  const centres = new Map();
  const elements = new Map();
  const nodeLayer = svg('g', { class: 'nodes' });
  const entry =
    (dag.modelId && byId.has(dag.modelId) && dag.modelId) ||
    (highlight && nodes.find((n) => highlight(n.id))?.id) ||
    nodes[0]?.id;
  for (const n of nodes) {
    const a = n.artifact;
    const pos = g.node(n.id);
    const size = sizes.get(n.id);
    const color = KINDS[size.kind]?.color || EDGE_FALLBACK_COLOR;
    const share = sharing ? sharing(n.id) || null : n.sharedByAll ? 'all' : null;
    const isRoot = n.id === dag.modelId || Boolean(highlight && highlight(n.id));
    const w = size.width;
    const h = size.height;
    present.kinds.add(size.kind);
    if (sharing && share) present.sharing.add(share);
    if (highlight && isRoot) present.highlighted = true;
    centres.set(n.id, pos);
    const shareText = share ? `, ${SHARING_LABELS[share]}` : '';
    const title = a ? `${size.full}\n${a.title}\n${a.id}` : n.id;
    const node = svg(
      'g',
      {
        class: [
          'node',
          isRoot && 'root',
          share === 'all' && 'shared',
          share && `dag-node--shared-${share}`,
          highlight && isRoot && 'dag-node--highlight',
        ],
        transform: `translate(${Math.round(pos.x - w / 2)},${Math.round(pos.y - h / 2)})`,
        tabindex: n.id === entry ? 0 : -1,
        role: 'button',
        'data-id': n.id,
        'data-node-id': n.id,
        'data-kind': size.kind,
        'data-shared': String(share === 'all'),
        'data-sharing': share,
        'aria-label':
          `${KINDS[size.kind]?.label || size.kind} ${size.full}: ` +
          `${a ? a.title : 'unresolved'}${shareText}. Show details.`,
      },
      svg('title', {}, title),
      share === 'all'
        ? svg('rect', {
            class: 'shared-outline',
            x: -5,
            y: -5,
            width: w + 10,
            height: h + 10,
            rx: 9,
          })
        : null,
      share === 'some'
        ? svg('rect', {
            class: 'some-outline',
            x: -5,
            y: -5,
            width: w + 10,
            height: h + 10,
            rx: 9,
          })
        : null,
      svg('rect', { class: 'focus-ring', x: -3, y: -3, width: w + 6, height: h + 6, rx: 8 }),
      svg('rect', {
        class: 'box',
        width: w,
        height: h,
        rx: 6,
        fill: share === 'all' ? tint(color, 0.4) : isRoot ? tint(color, 0.28) : tint(color),
        stroke: color,
        'stroke-width': isRoot ? 2.5 : 1.2,
      }),
      svg('rect', { width: STRIPE, height: h, rx: 2, fill: color }),
      svg('text', { class: 'node-kind', x: STRIPE + PAD_X, y: 15, fill: color }, size.kindLabel),
      svg('text', { class: 'node-label', x: STRIPE + PAD_X, y: 32 }, size.label),
    );
    const select = () => {
      for (const other of nodeLayer.querySelectorAll('.node.selected'))
        other.classList.remove('selected');
      node.classList.add('selected');
      details.replaceChildren(...nodeDetails(n, dag, byId, sharing ? share : undefined));
    };
    node.addEventListener('click', select);
    node.addEventListener('focus', () => {
      for (const other of elements.values()) other.setAttribute('tabindex', '-1');
      node.setAttribute('tabindex', '0');
      revealNode(node);
    });
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select();
        return;
      }
      let next = null;
      if (event.key.startsWith('Arrow')) next = neighbour(n.id, event.key, centres);
      else if (event.key === 'Home') next = nodes[0]?.id;
      else if (event.key === 'End') next = nodes.at(-1)?.id;
      else return;
      event.preventDefault();
      if (next) elements.get(next).focus();
    });
    elements.set(n.id, node);
    nodeLayer.append(node);
  }
  root.append(nodeLayer);

  const scroll = el(
    'div',
    { class: 'dag-scroll', tabindex: -1, 'aria-label': `Scrollable graph of ${subject}` },
    root,
  );

  /** Scroll the box (and then the page, if need be) so that `node` is wholly visible. */
  function revealNode(node) {
    const box = scroll.getBoundingClientRect();
    const r = node.getBoundingClientRect();
    const m = 10;
    const right = box.left + scroll.clientWidth;
    const bottom = box.top + scroll.clientHeight;
    // A node larger than the box shows its start (left, top) rather than its end.
    if (r.left < box.left + m) scroll.scrollLeft -= box.left + m - r.left;
    else if (r.right > right - m)
      scroll.scrollLeft += Math.min(r.right - right + m, r.left - box.left - m);
    if (r.top < box.top + m) scroll.scrollTop -= box.top + m - r.top;
    else if (r.bottom > bottom - m)
      scroll.scrollTop += Math.min(r.bottom - bottom + m, r.top - box.top - m);
    node.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  // null: fitted to the box's width (CSS does the scaling); a number: a fixed zoom.
  let fixed = null;
  const output = el('output', { 'aria-live': 'polite' }, 'fit');
  const shownScale = () => (fixed ?? (root.getBoundingClientRect().width / width || 1));
  const showScale = () => {
    const pct = Math.round(shownScale() * 100) + '%';
    output.textContent = fixed === null ? `fit ${pct}` : pct;
  };
  const apply = () => {
    if (fixed === null) {
      root.removeAttribute('width');
      root.removeAttribute('height');
      root.style.width = '100%';
      root.style.maxWidth = `${width}px`;
      root.style.minWidth = `${Math.ceil(width * MIN_SCALE)}px`;
      root.style.aspectRatio = `${width} / ${height}`;
    } else {
      root.setAttribute('width', String(Math.round(width * fixed)));
      root.setAttribute('height', String(Math.round(height * fixed)));
      root.style.width = root.style.maxWidth = root.style.minWidth = root.style.aspectRatio = '';
    }
    showScale();
  };
  const step = (dir) => {
    const scale = shownScale();
    const i =
      dir > 0
        ? SCALES.findIndex((s) => s > scale + 1e-6)
        : SCALES.findLastIndex((s) => s < scale - 1e-6);
    fixed = i < 0 ? (dir > 0 ? SCALES.at(-1) : SCALES[0]) : SCALES[i];
    apply();
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(showScale).observe(root);
  apply();

  const zoom = el(
    'div',
    { class: 'zoom', role: 'group', 'aria-label': `Zoom the graph of ${subject}` },
    el('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => step(-1) }, '−'),
    output,
    el('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => step(1) }, '+'),
    el(
      'button',
      {
        type: 'button',
        title: 'Fit the graph to the width of its box',
        onclick: () => ((fixed = null), apply()),
      },
      'Fit',
    ),
    el('button', { type: 'button', onclick: () => ((fixed = 1), apply()) }, '100%'),
  );

  const counts = `${nodes.length} artifacts, ${dag.edges.length} links`;
  const rootPos = dag.modelId ? g.node(dag.modelId) : null;
  const figure = el(
    'figure',
    { class: 'dag', 'data-model-id': dag.modelId || null },
    el(
      'figcaption',
      {},
      el('span', { class: 'dag-title' }, caption, el('span', { class: 'muted small' }, counts)),
      zoom,
    ),
    graphLegend(present, { kinds, highlight: Boolean(highlight) }),
    skipped
      ? el(
          'p',
          { class: 'note', role: 'note' },
          `${skipped} links name an artifact missing from this graph and are not drawn.`,
        )
      : null,
    el('div', { class: 'dag-body' }, scroll, details),
    srOnly(`Provenance of ${modelTitle || subject}.`),
  );
  /** Once on the page: scroll a graph taller or wider than its box to the model. */
  figure.revealModel = () => {
    if (!rootPos) return;
    const scale = shownScale();
    scroll.scrollTop = Math.max(0, rootPos.y * scale - scroll.clientHeight / 2);
    scroll.scrollLeft = Math.max(0, rootPos.x * scale - scroll.clientWidth / 2);
  };
  return figure;
}
