// Geometry of the provenance graphs: label measuring and cutting, the dagre layout, edge paths,
// arrowheads, and which node an arrow key moves to.

import { svg, KINDS, versionLabel } from './ui.js';

export const NODE_H = 42;
export const PAD_X = 12;
export const STRIPE = 6;

export const LABEL_FONT =
  '12px ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';
export const KIND_FONT =
  '600 9.5px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
// Longer labels are cut with an ellipsis (the whole label is in the node's <title>); shorter
// still in a narrow box, where every pixel of width shrinks the whole graph.
export const MAX_LABEL_PX = 290;
export const NARROW_LABEL_PX = 170;
const ARROWS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

let measureCtx = null;
export function textWidth(text, font) {
  if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

/** A label at most `max` px wide: "abc-atlas-merfish @1" for dataset-abc-atlas-merfish, then
 *  "celltype…classifier @3": the version stays; the lineage id loses its kind prefix, then its
 *  middle, so that its family (the start) and what tells it apart (often the end) stay. */
export function shortLabel(full, artifact, max = MAX_LABEL_PX) {
  if (textWidth(full, LABEL_FONT) <= max) return full;
  const suffix = artifact?.lineageId ? ` @${artifact.versionNumber}` : '';
  let name = artifact?.lineageId || full;
  // The node's kind line already says "DATASET": a "dataset-" prefix is the first to go.
  const prefix = `${String(artifact?.kind).toLowerCase()}-`;
  if (name.startsWith(prefix) && name.length > prefix.length) {
    name = name.slice(prefix.length);
    if (textWidth(`${name}${suffix}`, LABEL_FONT) <= max) return `${name}${suffix}`;
  }
  let keep = name.length - 1;
  const cut = (k) =>
    `${name.slice(0, Math.ceil(k / 2))}…${name.slice(name.length - Math.floor(k / 2))}`;
  while (keep > 4 && textWidth(`${cut(keep)}${suffix}`, LABEL_FONT) > max) keep -= 1;
  return `${cut(keep)}${suffix}`;
}

/**
 * Lay the graph out with dagre: each edge from the dependency to the dependent, so inputs come
 * first (left in LR, top in TB). Returns node sizes and centres, edge points (in `edges` order),
 * and the drawing's size.
 */
export function layoutDag(nodes, edges, { rankdir = 'LR', maxLabel = MAX_LABEL_PX } = {}) {
  const g = new window.dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir, nodesep: 14, ranksep: 48, edgesep: 10, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map();
  for (const n of nodes) {
    const full = n.artifact ? versionLabel(n.artifact) : n.id;
    const label = shortLabel(full, n.artifact, maxLabel);
    const kind = n.artifact?.kind || 'UNKNOWN';
    const kindLabel = (KINDS[kind]?.label || kind).toUpperCase();
    const width =
      Math.ceil(Math.max(textWidth(label, LABEL_FONT), textWidth(kindLabel, KIND_FONT) * 1.1)) +
      2 * PAD_X +
      STRIPE;
    sizes.set(n.id, { width, height: NODE_H, label, full, kind, kindLabel });
    g.setNode(n.id, { width, height: NODE_H });
  }
  edges.forEach((e, i) => g.setEdge(e.target, e.source, {}, 'e' + i));
  window.dagre.layout(g);
  const graph = g.graph();
  const centres = new Map(nodes.map((n) => [n.id, { x: g.node(n.id).x, y: g.node(n.id).y }]));
  return {
    rankdir,
    sizes,
    centres,
    points: edges.map((e, i) => g.edge({ v: e.target, w: e.source, name: 'e' + i }).points),
    width: Math.ceil(graph.width || 100),
    height: Math.ceil(graph.height || NODE_H + 16),
  };
}

export function pathFor(points) {
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

export function arrowMarker(id, color) {
  return svg(
    'marker',
    {
      id,
      viewBox: '0 0 10 10',
      refX: 10,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }),
  );
}

/** The node nearest to `from` in an arrow key's direction, or null. */
export function neighbour(from, key, centres) {
  const [dx, dy] = ARROWS[key];
  const here = centres.get(from);
  let best = null;
  let bestCost = Infinity;
  for (const [id, c] of centres) {
    if (id === from) continue;
    const along = (c.x - here.x) * dx + (c.y - here.y) * dy;
    if (along <= 1) continue;
    const across = Math.abs((c.x - here.x) * dy) + Math.abs((c.y - here.y) * dx);
    const cost = along + 2 * across;
    if (cost < bestCost) {
      bestCost = cost;
      best = id;
    }
  }
  return best;
}
