// Compare page sections: shared section helpers, model cards and the metrics table.

import {
  el,
  svg,
  srOnly,
  letter,
  fmtNum,
  fmtDelta,
  familyLabel,
  versionLabel,
  modelHref,
  compareHref,
  scoreView,
} from './ui.js';

export const MIN_MODELS = 2;

export function modelColumnHead(model, i) {
  return el(
    'th',
    { scope: 'col', 'data-model-id': model.id },
    el(
      'span',
      { class: 'col-head' },
      el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
      el(
        'span',
        { title: model.title },
        el('span', { class: 't' }, model.title),
        el('span', { class: 'mono' }, model.id),
      ),
    ),
  );
}

export function section(id, title, ...children) {
  return el(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    el('div', { class: 'section-head' }, el('h2', { id: `${id}-title` }, title)),
    children,
  );
}

export function renderCards(cmp, requested) {
  const models = cmp.models;
  return section(
    'models',
    `Models (${models.length})`,
    el(
      'div',
      { class: 'cards' },
      models.map((m, i) => {
        const others = models.filter((o) => o.id !== m.id).map((o) => o.id);
        const asked = requested.find((r) => r !== m.id && r === m.lineageId);
        return el(
          'article',
          { class: 'card', 'data-model-id': m.id, 'aria-labelledby': `card-${i}` },
          el(
            'h3',
            { id: `card-${i}` },
            el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
            el('a', { href: modelHref(m.id) }, m.title),
          ),
          el(
            'dl',
            {},
            el('dt', {}, 'Version'),
            el(
              'dd',
              {},
              el('code', {}, versionLabel(m)),
              ' ',
              m.isLatest ? el('span', { class: 'badge' }, 'latest') : null,
            ),
            el('dt', {}, 'Id'),
            el('dd', {}, el('code', {}, m.id)),
            el('dt', {}, 'Family'),
            el('dd', {}, familyLabel(m.family)),
            el('dt', {}, 'Quality'),
            el('dd', { class: 'card-score' }, scoreView(m, { long: true })),
          ),
          asked
            ? el(
                'p',
                { class: 'note' },
                'Asked for the lineage ',
                el('code', {}, asked),
                ': its latest version today. The permalink pins this version.',
              )
            : null,
          el(
            'p',
            { class: 'card-links' },
            el('a', { href: modelHref(m.id) }, 'Details'),
            others.length >= MIN_MODELS
              ? el(
                  'a',
                  { href: compareHref(others), 'aria-label': `Remove ${m.id} from the comparison` },
                  'Remove',
                )
              : null,
          ),
        );
      }),
    ),
  );
}

/** A one-row dot chart: the better end is always on the right. */
export function dotPlot(row, models) {
  const W = 190;
  const H = 34;
  const pad = 14;
  const present = row.cells.filter((c) => c.value !== null);
  const values = present.map((c) => c.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const x = (v) => {
    if (max === min) return W / 2;
    const t = (v - min) / (max - min);
    return pad + (row.better === 'LOWER' ? 1 - t : t) * (W - 2 * pad);
  };
  const index = new Map(models.map((m, i) => [m.id, i]));
  const groups = new Map();
  for (const c of present) {
    const key = Math.round(x(c.value));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  const described = row.cells
    .map((c) => `${letter(index.get(c.modelId))} ${c.value === null ? 'missing' : fmtNum(c.value)}`)
    .join(', ');
  const dir = row.better === 'LOWER' ? 'lower is better' : 'higher is better';
  return svg(
    'svg',
    {
      class: 'dotplot',
      width: W,
      height: H,
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': `${row.name}: ${described}; ${dir}; better values to the right`,
    },
    svg('line', { x1: pad, x2: W - pad, y1: 24, y2: 24, stroke: '#d1d9e0', 'stroke-width': 2 }),
    [...groups.entries()].map(([gx, cells]) => {
      const best = cells.some((c) => c.best);
      return svg(
        'g',
        {},
        svg('circle', {
          cx: gx,
          cy: 24,
          r: 5,
          fill: best ? '#1a7f37' : '#8c959f',
          stroke: '#fff',
          'stroke-width': 1.5,
        }),
        svg(
          'text',
          { x: gx, y: 12, 'text-anchor': 'middle' },
          cells.map((c) => letter(index.get(c.modelId))).join(','),
        ),
      );
    }),
  );
}

export function renderMetrics(cmp) {
  const models = cmp.models;
  if (!cmp.metrics.length) {
    return section(
      'metrics',
      'Evaluation metrics',
      el('p', { class: 'muted' }, 'No model reports evaluation metrics.'),
    );
  }
  const table = el(
    'table',
    { class: 'data metrics-table', id: 'metrics-table' },
    el(
      'caption',
      {},
      '★ marks the best value of each metric (ties share it). The small line under a value is its difference from model A. — means the model does not report that metric. Values are rounded to 4 significant digits; hover for the exact value (the exports have it too).',
    ),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Metric'),
        models.map(modelColumnHead),
        el('th', { scope: 'col' }, 'Spread ', el('span', { class: 'muted small' }, '(better →)')),
      ),
    ),
    el(
      'tbody',
      {},
      cmp.metrics.map((row) =>
        el(
          'tr',
          { 'data-metric': row.name },
          el(
            'th',
            { scope: 'row' },
            el('code', {}, row.name),
            el(
              'span',
              { class: 'direction' },
              row.better === 'LOWER' ? '↓ lower is better' : '↑ higher is better',
            ),
          ),
          row.cells.map((c, i) => {
            if (c.value === null) {
              return el(
                'td',
                { class: 'num', 'data-model-id': c.modelId, 'data-missing': 'true' },
                el('span', { class: 'missing', 'aria-hidden': 'true' }, '—'),
                srOnly('not reported'),
              );
            }
            const delta =
              i === 0 ? 'baseline' : c.delta === null ? 'A has none' : `${fmtDelta(c.delta)} vs A`;
            return el(
              'td',
              {
                class: ['num', c.best && 'best'],
                'data-model-id': c.modelId,
                'data-best': String(c.best),
                title: String(c.value),
              },
              c.best
                ? [el('span', { class: 'best-mark', 'aria-hidden': 'true' }, '★'), srOnly('best: ')]
                : null,
              fmtNum(c.value),
              el('span', { class: 'delta' }, delta),
            );
          }),
          el('td', { class: 'chart' }, dotPlot(row, models)),
        ),
      ),
    ),
  );
  return section('metrics', 'Evaluation metrics', el('div', { class: 'table-scroll' }, table));
}

