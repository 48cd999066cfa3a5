// Geometry of the provenance graphs: label measuring and cutting, edge paths, arrowheads, and
// which node an arrow key moves to.

import { svg } from './ui.js';

export const LABEL_FONT =
  '12px ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';
export const KIND_FONT =
  '600 9.5px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
// Longer labels are cut with an ellipsis (the whole label is in the node's <title>).
const MAX_LABEL_PX = 290;
const ARROWS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

let measureCtx = null;
export function textWidth(text, font) {
  if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

/** "dataset-abc-atlas-me… @1": the version stays, the lineage id is cut to fit. */
export function shortLabel(full, artifact) {
  if (textWidth(full, LABEL_FONT) <= MAX_LABEL_PX) return full;
  const suffix = artifact?.lineageId ? ` @${artifact.versionNumber}` : '';
  let head = artifact?.lineageId || full;
  while (head.length > 4 && textWidth(`${head}…${suffix}`, LABEL_FONT) > MAX_LABEL_PX)
    head = head.slice(0, -1);
  return `${head}…${suffix}`;
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
