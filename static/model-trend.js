// The trend of each metric across a lineage's versions (Model.metricHistory), one small line
// chart per metric drawn by the vendored ECharts (window.echarts, SVG renderer), with the
// version shown marked, intervals as error bars, a note saying which versions are drawn, a data
// table for screen readers and keyboards, and arrow keys that walk the points.

import { el, fmtNum, fmtCount, fmtDate } from './ui.js';

const LINE = '#0b5cad';
const BAR = 'rgba(11, 92, 173, 0.45)';
const CURRENT = '#d1242f';

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "all 37 versions", "an even sample of 500 of 10,000 versions", "the latest 500 of ...". */
export function samplingNote(history) {
  const n = history.points.length;
  const count = fmtCount(history.versionsCount);
  if (history.sampling === 'LATEST') return `the latest ${fmtCount(n)} of ${count} versions`;
  if (history.sampling === 'EVEN')
    return (
      `an even sample of ${fmtCount(n)} of ${count} versions ` +
      '(the first and the latest included)'
    );
  return history.versionsCount === 1 ? 'the only version' : `all ${count} versions`;
}

/** Per metric name: its direction and the points that report it, oldest first. */
export function seriesByMetric(history, metrics) {
  const out = new Map(metrics.map((x) => [x.name, { better: x.better, points: [] }]));
  for (const p of history.points) {
    for (const x of p.metrics) {
      if (!out.has(x.name)) out.set(x.name, { better: x.better, points: [] });
      out.get(x.name).points.push({
        versionId: p.versionId,
        versionNumber: p.versionNumber,
        createdAt: p.createdAt,
        value: x.value,
        lower: x.lower ?? null,
        upper: x.upper ?? null,
      });
    }
  }
  return [...out].filter(([, s]) => s.points.length);
}

function rangeText(p) {
  return p.lower !== null && p.upper !== null ? ` [${fmtNum(p.lower)}, ${fmtNum(p.upper)}]` : '';
}

function pointText(name, p) {
  return `@${p.versionNumber} (${fmtDate(p.createdAt)}): ${name} ${fmtNum(p.value)}${rangeText(p)}`;
}

function tipHtml(name, p) {
  const head = escapeHtml(`@${p.versionNumber} · ${fmtDate(p.createdAt)}`);
  return `${head}<br><b>${escapeHtml(name)}</b> ${escapeHtml(fmtNum(p.value) + rangeText(p))}`;
}

function dataTable(name, points, currentId) {
  return el(
    'details',
    { class: 'trend-data' },
    el('summary', {}, `Data table: ${name} at ${fmtCount(points.length)} versions`),
    el(
      'div',
      {
        class: 'table-scroll tall',
        tabindex: 0,
        role: 'region',
        'aria-label': `${name} by version`,
      },
      el(
        'table',
        { class: 'data' },
        el('caption', {}, `${name} of each version drawn, oldest first`),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Version'),
            el('th', { scope: 'col' }, 'Registered'),
            el('th', { scope: 'col', class: 'num' }, 'Value'),
            el('th', { scope: 'col', class: 'num' }, 'Interval'),
          ),
        ),
        el(
          'tbody',
          {},
          points.map((p) =>
            el(
              'tr',
              {
                class: p.versionId === currentId ? 'current' : null,
                'data-version': p.versionNumber,
              },
              el('th', { scope: 'row' }, el('code', {}, `@${p.versionNumber}`)),
              el('td', { class: 'small nowrap' }, fmtDate(p.createdAt)),
              el('td', { class: 'num' }, fmtNum(p.value)),
              el(
                'td',
                { class: 'num' },
                p.lower !== null && p.upper !== null
                  ? `${fmtNum(p.lower)} – ${fmtNum(p.upper)}`
                  : '—',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Vertical bars with caps from lower to upper (an ECharts custom series). */
function errorBar(params, api) {
  const x = api.value(0);
  const low = api.coord([x, api.value(1)]);
  const high = api.coord([x, api.value(2)]);
  const cap = Math.min(4, Math.max(1, (api.size([1, 0])[0] || 8) * 0.3));
  const style = { stroke: BAR, lineWidth: 1.2 };
  return {
    type: 'group',
    children: [
      { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
      {
        type: 'line',
        shape: { x1: low[0] - cap, y1: low[1], x2: low[0] + cap, y2: low[1] },
        style,
      },
      {
        type: 'line',
        shape: { x1: high[0] - cap, y1: high[1], x2: high[0] + cap, y2: high[1] },
        style,
      },
    ],
  };
}

function chartOption(name, series, current) {
  const points = series.points;
  const withBars = points.filter((p) => p.lower !== null && p.upper !== null);
  const dense = points.length > 60;
  const currentIndex = points.findIndex((p) => p.versionId === current.id);
  return {
    animation: false,
    // right: room for the current version's label above its line at the right edge
    grid: { left: 8, right: 32, top: 26, bottom: 26, containLabel: true },
    tooltip: {
      trigger: 'item',
      confine: true,
      extraCssText: 'max-width: 260px; white-space: normal;',
      formatter: (params) => {
        const p = points[params.dataIndex];
        return p && params.seriesIndex === 0 ? tipHtml(name, p) : '';
      },
    },
    xAxis: {
      type: 'value',
      name: 'version',
      nameLocation: 'middle',
      nameGap: 24,
      minInterval: 1,
      min: points[0].versionNumber,
      max: points.at(-1).versionNumber,
    },
    yAxis: { type: 'value', scale: true, splitNumber: 4 },
    series: [
      {
        type: 'line',
        name,
        data: points.map((p) => [p.versionNumber, p.value]),
        showSymbol: !dense,
        symbolSize: 6,
        color: LINE,
        lineStyle: { width: 1.8 },
        emphasis: { scale: 2, itemStyle: { color: CURRENT } },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: CURRENT, type: 'dashed' },
          label: { formatter: `@${current.versionNumber}`, color: CURRENT, position: 'end' },
          data: [{ xAxis: current.versionNumber }],
        },
        markPoint:
          currentIndex >= 0
            ? {
                symbol: 'circle',
                symbolSize: 10,
                itemStyle: { color: CURRENT },
                label: { show: false },
                data: [{ coord: [current.versionNumber, points[currentIndex].value] }],
              }
            : undefined,
      },
      withBars.length
        ? {
            type: 'custom',
            name: `${name} interval`,
            silent: true,
            renderItem: errorBar,
            encode: { x: 0, y: [1, 2] },
            data: withBars.map((p) => [p.versionNumber, p.lower, p.upper]),
            z: 1,
          }
        : null,
    ].filter(Boolean),
  };
}

/** Arrow keys, Home/End and PageUp/PageDown move a highlighted point and show its value. */
function keyboard(box, chart, name, points, live) {
  let index = -1;
  const show = (i) => {
    if (index >= 0) chart.dispatchAction({ type: 'downplay', seriesIndex: 0, dataIndex: index });
    index = Math.max(0, Math.min(points.length - 1, i));
    chart.dispatchAction({ type: 'highlight', seriesIndex: 0, dataIndex: index });
    chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: index });
    box.dataset.pointIndex = String(index);
    live.textContent = pointText(name, points[index]);
  };
  const step = Math.max(1, Math.round(points.length / 10));
  box.addEventListener('keydown', (event) => {
    const moves = {
      ArrowRight: index + 1,
      ArrowUp: index + 1,
      ArrowLeft: index < 0 ? points.length - 1 : index - 1,
      ArrowDown: index < 0 ? points.length - 1 : index - 1,
      PageUp: index + step,
      PageDown: index - step,
      Home: 0,
      End: points.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    show(moves[event.key]);
  });
  box.addEventListener('blur', () => chart.dispatchAction({ type: 'hideTip' }));
}

/**
 * Fill `target` (already on the page) with one chart per metric. `history` is
 * Model.metricHistory; `metrics` the version's own metrics (for their order and direction).
 */
export function renderTrend(target, model, history, metrics) {
  const all = seriesByMetric(history, metrics);
  const note = el(
    'p',
    { class: 'note', id: 'trend-sampling', 'data-sampling': history.sampling },
    'Drawn from ',
    samplingNote(history),
    '.',
  );
  if (!all.length || history.versionsCount < 2) {
    const why =
      history.versionsCount < 2
        ? 'This lineage has one version so far: its metrics are in the table above, and ' +
          'their trend appears here from the second version on.'
        : 'No version of this lineage reports a metric.';
    target.replaceChildren(note, el('p', { class: 'muted', id: 'trend-empty' }, why));
    return;
  }
  const charts = el('div', { class: 'trend-grid' });
  target.replaceChildren(note, charts);
  const drawable = window.echarts && typeof window.echarts.init === 'function';
  if (!drawable)
    target.prepend(
      el(
        'p',
        { class: 'error-panel', role: 'alert' },
        'The chart library (/static/vendor/echarts-6.1.0.min.js) did not load; ' +
          'the data tables below hold every value.',
      ),
    );
  for (const [name, series] of all) {
    const direction = series.better === 'LOWER' ? '↓ lower is better' : '↑ higher is better';
    const live = el('p', { class: 'trend-point small', 'aria-live': 'polite' });
    const box = el('div', {
      class: 'trend-chart',
      tabindex: 0,
      role: 'img',
      'data-metric': name,
      'aria-label':
        `${name} across ${samplingNote(history)}, version @${model.versionNumber} marked. ` +
        'Arrow keys move between points; the data table below lists them.',
    });
    charts.append(
      el(
        'figure',
        { class: 'trend', 'data-metric': name },
        el(
          'figcaption',
          {},
          el('code', {}, name),
          ' ',
          el('span', { class: 'muted small' }, direction),
          el('span', { class: 'current-key small' }, ` · this version, @${model.versionNumber}`),
        ),
        box,
        live,
        dataTable(name, series.points, model.id),
      ),
    );
    if (!drawable) continue;
    const chart = window.echarts.init(box, null, { renderer: 'svg' });
    chart.setOption(chartOption(name, series, model));
    keyboard(box, chart, name, series.points, live);
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => chart.resize()).observe(box);
  }
}
