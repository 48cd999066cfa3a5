// A provenance DAG ({modelId?, nodes, edges} as compareModels' ProvenanceDag gives it) drawn as
// SVG, laid out by the vendored dagre (window.dagre, loaded by a classic <script> first).
//
// Layout: each edge goes from the dependency to the dependent, so inputs (datasets, hypotheses)
// come first and the model last: left to right, or, in a narrow box where that reads better,
// top to bottom. The drawn <path class="edge"> keeps the API's meaning in data-source (the
// dependent) and data-target (the dependency); its arrow points at the dependent.
//
// The SVG opens fitted to its box: CSS scales the viewBox to the box's width (never above 100%,
// never below MIN_SCALE, past which the box scrolls inside itself). Zooming sets a fixed width.

import { el, svg, KINDS, srOnly } from './ui.js';
import {
  NARROW_LABEL_PX,
  PAD_X,
  STRIPE,
  arrowMarker,
  layoutDag,
  neighbour,
  pathFor,
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

// Below this a graph is no longer an overview but noise: the box scrolls instead.
const MIN_SCALE = 0.25;
const SCALES = [0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1, 1.25, 1.5, 2];
// A box narrower than this gets the narrow layout: shorter labels, and top to bottom when
// that draws the graph larger.
const NARROW_BOX = 560;
const BOX_MAX_HEIGHT = 620;

let uid = 0;

/** Of the candidate layouts, the one drawn largest in a box `boxWidth` wide. */
function bestLayout(candidates, boxWidth) {
  const scale = (lay) =>
    Math.min(1, boxWidth / lay.width, (1.5 * BOX_MAX_HEIGHT) / Math.max(lay.height, 1));
  return candidates.reduce((best, lay) => (scale(lay) > scale(best) + 0.02 ? lay : best));
}

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
  const shareOf = (n) => (sharing ? sharing(n.id) || null : n.sharedByAll ? 'all' : null);
  const emphasised = (n) => n.id === dag.modelId || Boolean(highlight && highlight(n.id));

  const present = {
    kinds: new Set(nodes.map((n) => n.artifact?.kind || 'UNKNOWN')),
    types: new Set(drawable.map((e) => e.type)),
    pinned: drawable.some((e) => e.pinned),
    floating: drawable.some((e) => !e.pinned),
    sharing: new Set(sharing ? nodes.map(shareOf).filter(Boolean) : []),
    highlighted: Boolean(highlight) && nodes.some((n) => highlight(n.id)),
  };
  const entry =
    (dag.modelId && byId.has(dag.modelId) && dag.modelId) ||
    (highlight && nodes.find((n) => highlight(n.id))?.id) ||
    nodes[0]?.id;

  const details = el(
    'div',
    { class: 'node-details', 'aria-live': 'polite' },
    el('p', { class: 'muted' }, 'Click a node, or Tab to it and press Enter, to see its details.'),
  );
  const scroll = el('div', {
    class: 'dag-scroll',
    tabindex: -1,
    'aria-label': `Scrollable graph of ${subject}`,
  });
  let selectedId = null;
  let tabStop = entry;

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

  function drawNode(n, lay, elements) {
    const a = n.artifact;
    const pos = lay.centres.get(n.id);
    const size = lay.sizes.get(n.id);
    const color = KINDS[size.kind]?.color || EDGE_FALLBACK_COLOR;
    const share = shareOf(n);
    const isRoot = emphasised(n);
    const w = size.width;
    const h = size.height;
    const outline = (cls) =>
      svg('rect', { class: cls, x: -5, y: -5, width: w + 10, height: h + 10, rx: 9 });
    const node = svg(
      'g',
      {
        class: [
          'node',
          isRoot && 'root',
          share === 'all' && 'shared',
          share && `dag-node--shared-${share}`,
          highlight && isRoot && 'dag-node--highlight',
          n.id === selectedId && 'selected',
        ],
        transform: `translate(${Math.round(pos.x - w / 2)},${Math.round(pos.y - h / 2)})`,
        tabindex: n.id === tabStop ? 0 : -1,
        role: 'button',
        'data-id': n.id,
        'data-node-id': n.id,
        'data-kind': size.kind,
        'data-shared': String(share === 'all'),
        'data-sharing': share,
        'aria-label':
          `${KINDS[size.kind]?.label || size.kind} ${size.full}: ` +
          `${a ? a.title : 'unresolved'}${share ? `, ${SHARING_LABELS[share]}` : ''}. ` +
          'Show details.',
      },
      svg('title', {}, a ? `${size.full}\n${a.title}\n${a.id}` : n.id),
      share === 'all' ? outline('shared-outline') : null,
      share === 'some' ? outline('some-outline') : null,
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
      for (const other of elements.values()) other.classList.remove('selected');
      node.classList.add('selected');
      selectedId = n.id;
      details.replaceChildren(...nodeDetails(n, dag, byId, sharing ? share : undefined));
    };
    node.addEventListener('click', select);
    node.addEventListener('focus', () => {
      for (const other of elements.values()) other.setAttribute('tabindex', '-1');
      node.setAttribute('tabindex', '0');
      tabStop = n.id;
      revealNode(node);
    });
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select();
        return;
      }
      let next = null;
      if (event.key.startsWith('Arrow')) next = neighbour(n.id, event.key, lay.centres);
      else if (event.key === 'Home') next = nodes[0]?.id;
      else if (event.key === 'End') next = nodes.at(-1)?.id;
      else return;
      event.preventDefault();
      if (next) elements.get(next).focus();
    });
    return node;
  }

  let draws = 0;
  /** The SVG of one layout. */
  function draw(lay) {
    draws += 1;
    const order =
      lay.rankdir === 'LR'
        ? 'on the left, the model on the right'
        : 'at the top, the model at the bottom';
    const root = svg('svg', {
      class: 'dag-svg',
      role: 'group',
      viewBox: `0 0 ${lay.width} ${lay.height}`,
      preserveAspectRatio: 'xMinYMin meet',
      'aria-label':
        `Provenance graph of ${subject}: ${nodes.length} artifacts, ${dag.edges.length} links. ` +
        `Inputs ${order}. Arrow keys move between nodes; Enter shows details.`,
      'data-model-id': dag.modelId || null,
      'data-layout': lay.rankdir,
    });
    const markers = svg('defs', {});
    const markerIds = new Map();
    const markerFor = (type) => {
      if (!markerIds.has(type)) {
        const markerId = `arrow-${id}-${draws}-${markerIds.size}`;
        markerIds.set(type, markerId);
        markers.append(arrowMarker(markerId, EDGE_COLORS[type] || EDGE_FALLBACK_COLOR));
      }
      return markerIds.get(type);
    };
    const edgeLayer = svg('g', { class: 'edges' });
    drawable.forEach((e, i) => {
      const from = lay.sizes.get(e.source).full;
      const to = lay.sizes.get(e.target).full;
      const how = e.pinned ? 'pinned' : 'floating';
      edgeLayer.append(
        svg(
          'path',
          {
            class: ['edge', how],
            d: pathFor(lay.points[i]),
            stroke: EDGE_COLORS[e.type] || EDGE_FALLBACK_COLOR,
            'marker-end': `url(#${markerFor(e.type)})`,
            'data-source': e.source,
            'data-target': e.target,
            'data-type': e.type,
          },
          svg('title', {}, `${from} ${edgeLabel(e.type)} ${to} (${how})`),
        ),
      );
    });
    const elements = new Map();
    const nodeLayer = svg('g', { class: 'nodes' });
    for (const n of nodes) {
      const node = drawNode(n, lay, elements);
      elements.set(n.id, node);
      nodeLayer.append(node);
    }
    root.append(markers, edgeLayer, nodeLayer);
    return { lay, root, elements };
  }

  const wide = layoutDag(nodes, drawable);
  let narrow = null;
  let current = draw(wide);
  scroll.append(current.root);

  // null: fitted to the box's width (CSS does the scaling); a number: a fixed zoom.
  let fixed = null;
  const output = el('output', { 'aria-live': 'polite' }, 'fit');
  const shownScale = () =>
    fixed ?? (current.root.getBoundingClientRect().width / current.lay.width || 1);
  const showScale = () => {
    const pct = Math.round(shownScale() * 100) + '%';
    output.textContent = fixed === null ? `fit ${pct}` : pct;
  };
  const apply = () => {
    const { root, lay } = current;
    if (fixed === null) {
      root.removeAttribute('width');
      root.removeAttribute('height');
      root.style.width = '100%';
      root.style.maxWidth = `${lay.width}px`;
      root.style.minWidth = `${Math.ceil(lay.width * MIN_SCALE)}px`;
      root.style.aspectRatio = `${lay.width} / ${lay.height}`;
    } else {
      root.setAttribute('width', String(Math.round(lay.width * fixed)));
      root.setAttribute('height', String(Math.round(lay.height * fixed)));
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
  /** Swap in the layout that suits the box's width now (kept focus and selection). */
  const relayout = () => {
    const boxWidth = scroll.clientWidth;
    if (!boxWidth) return;
    let lay = wide;
    if (boxWidth < NARROW_BOX) {
      narrow ??= bestLayout(
        [
          wide,
          layoutDag(nodes, drawable, { maxLabel: NARROW_LABEL_PX }),
          layoutDag(nodes, drawable, { rankdir: 'TB', maxLabel: NARROW_LABEL_PX }),
        ],
        boxWidth,
      );
      lay = narrow;
    }
    if (lay === current.lay) return showScale();
    const focused = [...current.elements].find(([, node]) => node === document.activeElement);
    current = draw(lay);
    scroll.replaceChildren(current.root);
    apply();
    if (focused) current.elements.get(focused[0]).focus({ preventScroll: true });
  };
  // On the next frame: swapping the drawing resizes the box being observed.
  if (typeof ResizeObserver === 'function')
    new ResizeObserver(() => requestAnimationFrame(relayout)).observe(scroll);
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
  /** Once on the page: pick the layout for the box, and scroll a large graph to the model. */
  figure.revealModel = () => {
    relayout();
    const pos = dag.modelId ? current.lay.centres.get(dag.modelId) : null;
    if (!pos) return;
    const scale = shownScale();
    scroll.scrollTop = Math.max(0, pos.y * scale - scroll.clientHeight / 2);
    scroll.scrollLeft = Math.max(0, pos.x * scale - scroll.clientWidth / 2);
  };
  return figure;
}
