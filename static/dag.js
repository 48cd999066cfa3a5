// A provenance DAG (ProvenanceDag from compareModels) drawn as SVG, laid out by the vendored
// dagre (window.dagre, loaded by a classic <script> before this module).
//
// Layout: rankdir LR with each edge added from the dependency to the dependent, so inputs
// (datasets, hypotheses) sit on the left and the compared model on the right. The drawn
// <path class="edge"> keeps the API's meaning in data-source (the dependent) and data-target
// (the dependency); its arrow points at the dependent ("flows into").

import { el, svg, KINDS, versionLabel, modelHref, catalogHref, srOnly } from './ui.js';

const NODE_H = 42;
const PAD_X = 12;
const STRIPE = 6;
const LABEL_FONT =
  '12px ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';
const KIND_FONT = '600 9.5px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
const SCALES = [0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1, 1.25, 1.5, 2];

export const EDGE_LABELS = {
  TRAINED_ON: 'trained on',
  PRODUCED_BY: 'produced by',
  TESTS_HYPOTHESIS: 'tests',
  USES: 'uses',
  ADDRESSES: 'addresses',
  DERIVED_FROM: 'derived from',
};

let measureCtx = null;
function textWidth(text, font) {
  if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

let uid = 0;

/** Tinted fill for a kind colour (#rrggbb -> rgba at 14%). */
function tint(hex, alpha = 0.14) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** The legend shared by every DAG on the page. */
export function dagLegend() {
  return el(
    'ul',
    { class: 'legend', 'aria-label': 'Legend of the provenance graphs' },
    Object.entries(KINDS).map(([kind, info]) =>
      el(
        'li',
        { 'data-kind': kind },
        el('span', {
          class: 'swatch',
          style: `background:${tint(info.color, 0.25)};border-color:${info.color}`,
        }),
        info.label,
      ),
    ),
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

function pathFor(points) {
  if (!points.length) return '';
  const f = (n) => Math.round(n * 10) / 10;
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    const p = points[i];
    const q = points[i + 1];
    d += ` Q${f(p.x)},${f(p.y)} ${f((p.x + q.x) / 2)},${f((p.y + q.y) / 2)}`;
  }
  const last = points[points.length - 1];
  d += ` L${f(last.x)},${f(last.y)}`;
  return d;
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

/**
 * A <figure> with the DAG of one compared model: a caption with zoom buttons, the SVG in a
 * scroll box (drawn at 100% so labels stay readable however many nodes), and a details panel
 * that shows the node chosen by click or Enter/Space.
 */
export function renderDag(dag, { caption, modelTitle }) {
  const id = ++uid;
  const nodes = dag.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const drawable = dag.edges.filter((e) => byId.has(e.source) && byId.has(e.target));
  const skipped = dag.edges.length - drawable.length;

  const g = new window.dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 64, edgesep: 10, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map();
  for (const n of nodes) {
    const label = versionLabel(n.artifact);
    const kindLabel = (KINDS[n.artifact.kind]?.label || n.artifact.kind).toUpperCase();
    const width =
      Math.ceil(Math.max(textWidth(label, LABEL_FONT), textWidth(kindLabel, KIND_FONT) * 1.1)) +
      2 * PAD_X +
      STRIPE;
    sizes.set(n.id, { width, height: NODE_H, label, kindLabel });
    g.setNode(n.id, { width, height: NODE_H });
  }
  drawable.forEach((e, i) => g.setEdge(e.target, e.source, {}, 'e' + i));
  window.dagre.layout(g);
  const graph = g.graph();
  const width = Math.ceil(graph.width || 100);
  const height = Math.ceil(graph.height || NODE_H + 16);

  const markerId = `arrow-${id}`;
  const root = svg(
    'svg',
    {
      class: 'dag-svg',
      role: 'group',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      'aria-label': `Provenance graph of ${dag.modelId}: ${nodes.length} artifacts, ${dag.edges.length} links. Inputs on the left, the model on the right.`,
      'data-model-id': dag.modelId,
    },
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: markerId,
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6e7781' }),
      ),
    ),
  );

  const edgeLayer = svg('g', { class: 'edges' });
  drawable.forEach((e, i) => {
    const laid = g.edge({ v: e.target, w: e.source, name: 'e' + i });
    const from = versionLabel(byId.get(e.source).artifact);
    const to = versionLabel(byId.get(e.target).artifact);
    edgeLayer.append(
      svg(
        'path',
        {
          class: ['edge', e.pinned ? 'pinned' : 'floating'],
          d: pathFor(laid.points),
          'marker-end': `url(#${markerId})`,
          'data-source': e.source,
          'data-target': e.target,
          'data-type': e.type,
        },
        svg(
          'title',
          {},
          `${from} ${EDGE_LABELS[e.type] || e.type} ${to} (${e.pinned ? 'pinned' : 'floating'})`,
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

  const nodeLayer = svg('g', { class: 'nodes' });
  for (const n of nodes) {
    const a = n.artifact;
    const pos = g.node(n.id);
    const size = sizes.get(n.id);
    const color = KINDS[a.kind]?.color || '#6e7781';
    const isRoot = n.id === dag.modelId;
    const w = size.width;
    const h = size.height;
    const shared = n.sharedByAll ? ', an ancestor shared by all compared models' : '';
    const node = svg(
      'g',
      {
        class: ['node', isRoot && 'root', n.sharedByAll && 'shared'],
        transform: `translate(${Math.round(pos.x - w / 2)},${Math.round(pos.y - h / 2)})`,
        tabindex: 0,
        role: 'button',
        'data-id': n.id,
        'data-kind': a.kind,
        'data-shared': String(n.sharedByAll),
        'aria-label': `${KINDS[a.kind]?.label || a.kind} ${size.label}: ${a.title}${shared}. Show details.`,
      },
      svg('title', {}, `${a.title}\n${a.id}`),
      n.sharedByAll
        ? svg('rect', {
            class: 'shared-outline',
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
        fill: isRoot ? tint(color, 0.28) : tint(color),
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
      details.replaceChildren(...nodeDetails(n, dag, byId));
    };
    node.addEventListener('click', select);
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select();
      }
    });
    nodeLayer.append(node);
  }
  root.append(nodeLayer);

  const scroll = el(
    'div',
    { class: 'dag-scroll', tabindex: 0, 'aria-label': `Scrollable graph of ${dag.modelId}` },
    root,
  );
  let scale = 1;
  const output = el('output', { 'aria-live': 'polite' }, '100%');
  const apply = () => {
    root.setAttribute('width', String(Math.round(width * scale)));
    root.setAttribute('height', String(Math.round(height * scale)));
    output.textContent = Math.round(scale * 100) + '%';
  };
  const step = (dir) => {
    const i = SCALES.findIndex((s) => s >= scale - 1e-9);
    const next =
      SCALES[Math.min(SCALES.length - 1, Math.max(0, (i < 0 ? SCALES.length - 1 : i) + dir))];
    scale = next;
    apply();
  };
  const zoom = el(
    'div',
    { class: 'zoom', role: 'group', 'aria-label': `Zoom the graph of ${dag.modelId}` },
    el('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => step(-1) }, '−'),
    output,
    el('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => step(1) }, '+'),
    el(
      'button',
      {
        type: 'button',
        title: 'Shrink the whole graph into view (an overview; zoom in to read labels)',
        onclick: () => {
          const maxHeight = Number.parseFloat(getComputedStyle(scroll).maxHeight) || 620;
          const fit = Math.min((scroll.clientWidth - 12) / width, (maxHeight - 12) / height);
          scale = Math.max(0.1, Math.min(1, fit));
          apply();
        },
      },
      'Fit',
    ),
    el('button', { type: 'button', onclick: () => ((scale = 1), apply()) }, '100%'),
  );

  const counts = `${nodes.length} artifacts, ${dag.edges.length} links`;
  const rootPos = g.node(dag.modelId);
  const figure = el(
    'figure',
    { class: 'dag', 'data-model-id': dag.modelId },
    el(
      'figcaption',
      {},
      el('span', { class: 'dag-title' }, caption, el('span', { class: 'muted small' }, counts)),
      zoom,
    ),
    skipped
      ? el(
          'p',
          { class: 'note', role: 'note' },
          `${skipped} links name an artifact missing from this graph and are not drawn.`,
        )
      : null,
    el('div', { class: 'dag-body' }, scroll, details),
    srOnly(`Provenance of ${modelTitle}.`),
  );
  /** Once on the page: scroll a graph taller or wider than its box to the compared model. */
  figure.revealModel = () => {
    if (!rootPos) return;
    scroll.scrollTop = Math.max(0, rootPos.y * scale - scroll.clientHeight / 2);
    scroll.scrollLeft = Math.max(0, rootPos.x * scale - scroll.clientWidth / 2);
  };
  return figure;
}

function nodeDetails(n, dag, byId) {
  const a = n.artifact;
  const label = (id) => (byId.has(id) ? versionLabel(byId.get(id).artifact) : id);
  const out = dag.edges.filter((e) => e.source === n.id);
  const into = dag.edges.filter((e) => e.target === n.id);
  const floating = (e) => (e.pinned ? '' : el('span', { class: 'muted' }, ' (floating)'));
  const dependsOn = (e) =>
    el('li', {}, `${EDGE_LABELS[e.type] || e.type} `, el('code', {}, label(e.target)), floating(e));
  const usedBy = (e) =>
    el(
      'li',
      {},
      el('code', {}, label(e.source)),
      ` (${EDGE_LABELS[e.type] || e.type})`,
      floating(e),
    );
  return [
    el('h3', {}, a.title),
    el(
      'dl',
      {},
      el('dt', {}, 'Kind'),
      el('dd', {}, KINDS[a.kind]?.label || a.kind),
      el('dt', {}, 'Id'),
      el('dd', {}, el('code', {}, a.id)),
      el('dt', {}, 'Version'),
      el('dd', {}, el('code', {}, versionLabel(a)), a.isLatest ? ' (latest)' : ''),
      el('dt', {}, 'Shared'),
      el('dd', {}, n.sharedByAll ? 'yes, by every compared model' : 'no'),
      out.length
        ? [el('dt', {}, 'Depends on'), el('dd', {}, el('ul', {}, out.map(dependsOn)))]
        : null,
      into.length ? [el('dt', {}, 'Used by'), el('dd', {}, el('ul', {}, into.map(usedBy)))] : null,
    ),
    el('p', {}, nodeLink(a)),
  ];
}
