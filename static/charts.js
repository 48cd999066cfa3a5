// Charts drawn by the vendored Apache ECharts (window.echarts, loaded by a classic <script>
// before the page's module) with its SVG renderer, so the marks stay inspectable.
//
// drawChart(container, option, {label, table}) fills `container` with two children:
//   div.chart-plot    the chart: role="img", aria-label, focusable; arrow keys walk the data
//                     points (highlight + tooltip) and a live region reads the point out;
//   details.chart-data the same data as a real <table>, for screen readers, keyboard users
//                     and anyone who wants the exact numbers.
// The plot is drawn once it has a size (so it may be built before it is in the document),
// follows its box with a ResizeObserver and is disposed when it leaves the document.

import { el } from './ui.js';

/** Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), in order. */
export const SERIES_COLORS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
  '#999999',
  '#882255',
];

const TIP_TYPES = new Set(['bar', 'line', 'scatter', 'effectScatter', 'pie', 'boxplot']);

const live = new Set();
let removalWatch = null;

// One observer for the whole page: a chart whose plot left the document frees its instance.
function watchRemovals() {
  if (removalWatch) return;
  removalWatch = new MutationObserver(() => {
    for (const handle of [...live]) {
      if (handle.started && !handle.plot.isConnected) handle.dispose();
    }
  });
  removalWatch.observe(document.body, { childList: true, subtree: true });
}

/** The data of a chart as a <details> with a captioned table; a row's first cell heads it. */
export function chartTable({ caption, columns, rows }, summary = 'Show the data as a table') {
  return el(
    'details',
    { class: 'chart-data' },
    el('summary', {}, summary),
    el(
      'div',
      { class: 'table-scroll' },
      el(
        'table',
        { class: 'data' },
        caption ? el('caption', {}, caption) : null,
        el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c)))),
        el(
          'tbody',
          {},
          rows.map((row) =>
            el(
              'tr',
              {},
              row.map((cell, i) =>
                i === 0 ? el('th', { scope: 'row' }, cell) : el('td', {}, cell),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function seriesLengths(chart) {
  const series = chart.getOption().series || [];
  return series.map((s) => (Array.isArray(s.data) ? s.data.length : 0));
}

function seriesType(chart, seriesIndex) {
  const s = (chart.getOption().series || [])[seriesIndex];
  return s ? s.type : undefined;
}

function defaultDescribe(chart, seriesIndex, dataIndex) {
  const s = (chart.getOption().series || [])[seriesIndex] || {};
  const item = Array.isArray(s.data) ? s.data[dataIndex] : undefined;
  const name = item && typeof item === 'object' && !Array.isArray(item) ? item.name : undefined;
  const value = item && typeof item === 'object' && !Array.isArray(item) ? item.value : item;
  return [s.name, name, Array.isArray(value) ? value.join(', ') : value]
    .filter((p) => p !== undefined && p !== null && p !== '')
    .join(': ');
}

/**
 * Draw `option` into `container` (see the top of this file). Options:
 *   label     the accessible name of the chart (what it shows, in one sentence);
 *   table     {caption, columns, rows}: the fallback table (cells are text or nodes);
 *   height    plot height in CSS pixels (default 280);
 *   describe  (seriesIndex, dataIndex) => text read out when the keyboard reaches a point.
 * Returns {chart, plot, details, update(option), dispose()}; `chart` is null until drawn.
 */
export function drawChart(container, option, { label, table, height = 280, describe } = {}) {
  const plot = el('div', {
    class: 'chart-plot',
    role: 'img',
    tabindex: '0',
    'aria-label': label ? `${label} Arrow keys move between the data points.` : 'Chart',
    style: `height:${height}px`,
  });
  // The point the keyboard reached, in words: read out, and shown to sighted keyboard users.
  const said = el('p', { class: 'chart-readout small muted', 'aria-live': 'polite' });
  const details = table ? chartTable(table) : null;
  container.classList.add('chart');
  container.replaceChildren(plot, said, details);

  let observer = null;
  const handle = {
    chart: null,
    plot,
    details,
    started: false,
    option: { animation: false, ...option },
    update(next) {
      handle.option = { animation: false, ...next };
      if (handle.chart) handle.chart.setOption(handle.option, { notMerge: true });
    },
    dispose() {
      live.delete(handle);
      if (observer) observer.disconnect();
      if (handle.chart && !handle.chart.isDisposed()) handle.chart.dispose();
      handle.chart = null;
      container.dataset.chartState = 'disposed';
    },
  };
  if (!handle.option.tooltip) handle.option.tooltip = { trigger: 'item', confine: true };

  if (!window.echarts || typeof window.echarts.init !== 'function') {
    plot.replaceChildren(
      el(
        'p',
        { class: 'chart-missing' },
        'The chart library (/static/vendor/echarts-6.1.0.min.js) did not load; the table below has the same data.',
      ),
    );
    plot.style.height = '';
    if (details) details.open = true;
    container.dataset.chartState = 'unavailable';
    return handle;
  }

  let frame = 0;
  observer = new ResizeObserver(() => {
    // Resize in the next frame: resizing inside the callback can loop the observer.
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      if (!plot.isConnected || plot.clientWidth === 0) return;
      if (!handle.chart) {
        handle.chart = window.echarts.init(plot, null, { renderer: 'svg' });
        handle.chart.setOption(handle.option);
        handle.started = true;
        container.dataset.chartState = 'drawn';
      } else {
        handle.chart.resize();
      }
    });
  });
  observer.observe(plot);
  live.add(handle);
  watchRemovals();

  let at = null; // [seriesIndex, dataIndex] of the point the keyboard reached
  const move = (key) => {
    const chart = handle.chart;
    if (!chart) return false;
    const lengths = seriesLengths(chart);
    const usable = lengths.map((n, i) => (n ? i : -1)).filter((i) => i >= 0);
    if (!usable.length) return false;
    let [s, d] = at || [usable[0], -1];
    const k = usable.indexOf(s);
    switch (key) {
      case 'ArrowRight':
        d = Math.min(d + 1, lengths[s] - 1);
        break;
      case 'ArrowLeft':
        d = Math.max(d - 1, 0);
        break;
      case 'ArrowDown':
        s = usable[Math.min(k + 1, usable.length - 1)];
        d = Math.min(Math.max(d, 0), lengths[s] - 1);
        break;
      case 'ArrowUp':
        s = usable[Math.max(k - 1, 0)];
        d = Math.min(Math.max(d, 0), lengths[s] - 1);
        break;
      case 'Home':
        d = 0;
        break;
      case 'End':
        d = lengths[s] - 1;
        break;
      case 'Escape':
        if (at) chart.dispatchAction({ type: 'downplay', seriesIndex: at[0], dataIndex: at[1] });
        chart.dispatchAction({ type: 'hideTip' });
        at = null;
        said.textContent = '';
        return true;
      default:
        return false;
    }
    if (at) chart.dispatchAction({ type: 'downplay', seriesIndex: at[0], dataIndex: at[1] });
    at = [s, d];
    chart.dispatchAction({ type: 'highlight', seriesIndex: s, dataIndex: d });
    // ECharts places a manual tooltip only for series with a point per datum (not parallel).
    if (TIP_TYPES.has(seriesType(chart, s))) {
      chart.dispatchAction({ type: 'showTip', seriesIndex: s, dataIndex: d });
    }
    said.textContent = describe ? describe(s, d) : defaultDescribe(chart, s, d);
    plot.dataset.activePoint = `${s}:${d}`;
    return true;
  };
  plot.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (move(event.key)) event.preventDefault();
  });
  plot.addEventListener('blur', () => {
    if (handle.chart && at) {
      handle.chart.dispatchAction({ type: 'downplay', seriesIndex: at[0], dataIndex: at[1] });
      handle.chart.dispatchAction({ type: 'hideTip' });
    }
    at = null;
    delete plot.dataset.activePoint;
  });
  return handle;
}
