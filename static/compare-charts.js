// Compare page charts (ECharts through charts.js): one bar chart per metric, normalised by the
// metric's direction so a longer bar is better for every metric, and a parallel-coordinates
// view of all metrics with axes oriented so up is better. Raw values stay in the tooltips and
// the tables.

import { el, fmtNum } from './ui.js';
import { drawChart, SERIES_COLORS } from './charts.js';
import { section, modelTag, modelIndex } from './compare-sections.js';
import { intervalText, verdictText } from './compare-metrics.js';

/** Text for ECharts' HTML tooltips: registry text must never be read as markup. */
export function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function colour(i) {
  return SERIES_COLORS[i % SERIES_COLORS.length];
}

/**
 * Where each value stands between the worst (0) and the best (1) value of the row, by the
 * metric's direction; all equal values stand at 1. Missing values are null.
 */
export function standings(row) {
  const values = row.cells.filter((c) => c.value !== null).map((c) => c.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return row.cells.map((c) => {
    if (c.value === null) return null;
    if (max === min) return 1;
    const t = (c.value - min) / (max - min);
    return row.better === 'LOWER' ? 1 - t : t;
  });
}

function mark(cell) {
  if (cell.best) return '★ ';
  if (cell.withinUncertainty) return '≈ ';
  return '';
}

function valueWithInterval(cell) {
  const interval = intervalText(cell);
  return fmtNum(cell.value) + (interval ? ` ${interval}` : '');
}

function cellTooltip(model, i, row, cell) {
  const lines = [
    `<strong>${escapeHtml(modelTag(model, i))}</strong> ${escapeHtml(model.title)}`,
    `${escapeHtml(row.name)}: <strong>${escapeHtml(cell.value)}</strong>`,
  ];
  const interval = intervalText(cell);
  if (interval) lines.push(escapeHtml(interval));
  if (cell.best) lines.push('★ best');
  else if (cell.withinUncertainty) lines.push('≈ within uncertainty of the best');
  if (cell.capped) lines.push('⚠ capped: incomplete provenance');
  return lines.join('<br>');
}

function barChart(row, cmp, index) {
  const models = cmp.models;
  const stand = standings(row);
  const tags = models.map((m, i) => modelTag(m, i));
  const dir = row.better === 'LOWER' ? 'lower is better' : 'higher is better';
  const data = row.cells.map((c, k) => {
    const entry = index.get(c.modelId);
    const i = entry ? entry.i : k;
    if (c.value === null) return { value: '-', name: tags[i] };
    const highlighted = c.best || c.withinUncertainty;
    return {
      value: stand[k],
      name: tags[i],
      // A dark edge keeps the light colours (yellow, sky blue) visible on white.
      itemStyle: {
        color: colour(i),
        borderColor: '#1f2328',
        borderWidth: highlighted ? 2 : 0.75,
      },
      label: {
        show: true,
        position: 'right',
        formatter: mark(c) + valueWithInterval(c) + (highlighted && c.capped ? ' ⚠ capped' : ''),
      },
      tip: entry ? cellTooltip(entry.model, i, row, c) : escapeHtml(c.value),
    };
  });
  const option = {
    grid: { left: 58, right: 120, top: 6, bottom: 22 },
    xAxis: {
      type: 'value',
      min: 0,
      max: 1,
      interval: 1,
      axisLabel: { formatter: (v) => (v === 0 ? 'worst' : 'best'), color: '#59636e' },
      splitLine: { show: true, lineStyle: { color: '#eaeef2' } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: tags,
      axisLabel: {
        color: '#1f2328',
        // A model that does not report the metric is named in grey, with no bar.
        formatter: (v, k) => (row.cells[k] && row.cells[k].value === null ? `{none|${v}}` : v),
        rich: { none: { color: '#8c959f' } },
      },
    },
    series: [
      {
        type: 'bar',
        name: row.name,
        data,
        barMaxWidth: 18,
        barMinHeight: 3,
        label: { color: '#1f2328', fontSize: 11 },
      },
    ],
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p) => (p.data && p.data.tip) || '',
    },
  };
  const figure = el(
    'figure',
    { class: 'metric-chart', 'data-metric': row.name },
    el(
      'figcaption',
      {},
      el('code', {}, row.name),
      ' ',
      el(
        'span',
        { class: 'muted small' },
        `${row.better === 'LOWER' ? '↓' : '↑'} ${dir} · longer bar = better`,
      ),
      el('span', { class: 'verdict small' }, verdictText(row, index)),
    ),
  );
  const holder = el('div', { class: 'chart-holder' });
  figure.append(holder);
  drawChart(holder, option, {
    label: `${row.name} across ${models.length} models: bars normalised so that a longer bar is better (${dir}); the worst value is at 0 and the best at 1.`,
    height: models.length * 26 + 36,
    describe: (_s, d) => {
      const c = row.cells[d];
      const entry = index.get(c.modelId);
      const who = entry ? `${modelTag(entry.model, entry.i)} ${entry.model.title}` : c.modelId;
      if (c.value === null) return `${who}: does not report ${row.name}`;
      const notes = [
        c.best ? 'best' : c.withinUncertainty ? 'within uncertainty of the best' : null,
        c.capped ? 'capped (incomplete provenance)' : null,
      ].filter(Boolean);
      return [`${who}: ${row.name} ${valueWithInterval(c)}`, ...notes].join(', ');
    },
    table: {
      caption: `${row.name} (${dir}) by model`,
      columns: ['Model', 'Value', 'Uncertainty', 'Standing (0 worst, 1 best)', 'Mark'],
      rows: row.cells.map((c, k) => {
        const entry = index.get(c.modelId);
        const name = entry ? `${modelTag(entry.model, entry.i)} ${entry.model.title}` : c.modelId;
        return [
          name,
          c.value === null ? 'not reported' : String(c.value),
          intervalText(c) || '',
          stand[k] === null ? '' : stand[k].toFixed(2),
          [
            c.best ? 'best' : c.withinUncertainty ? 'within uncertainty' : '',
            c.capped ? 'capped' : '',
          ]
            .filter(Boolean)
            .join(', '),
        ];
      }),
    },
  });
  return figure;
}

function parallelChart(rows, cmp, index) {
  const models = cmp.models;
  const axes = rows.map((row, k) => ({
    dim: k,
    name: `${row.name} ${row.better === 'LOWER' ? '↓' : '↑'}`,
    // Up is better on every axis: an axis of a lower-is-better metric runs downwards.
    inverse: row.better === 'LOWER',
    min: 'dataMin',
    max: 'dataMax',
    // Names on top of every axis, whichever way it runs.
    nameLocation: row.better === 'LOWER' ? 'start' : 'end',
    nameTextStyle: { color: '#1f2328', fontSize: 11 },
    axisLabel: { formatter: (v) => fmtNum(v), color: '#59636e', fontSize: 10 },
  }));
  const series = models.map((m, i) => ({
    type: 'parallel',
    name: modelTag(m, i),
    data: [
      {
        name: modelTag(m, i),
        value: rows.map((row) => {
          const c = row.cells.find((x) => x.modelId === m.id);
          return c && c.value !== null ? c.value : '-';
        }),
      },
    ],
    lineStyle: { width: 2.5, color: colour(i), opacity: 0.9 },
    emphasis: { lineStyle: { width: 4, opacity: 1 } },
  }));
  const tip = (i) => {
    const m = models[i];
    const lines = rows.map((row) => {
      const c = row.cells.find((x) => x.modelId === m.id);
      const shown = c && c.value !== null ? `${mark(c)}${escapeHtml(c.value)}` : 'not reported';
      return `${escapeHtml(row.name)}: ${shown}`;
    });
    return [`<strong>${escapeHtml(modelTag(m, i))}</strong> ${escapeHtml(m.title)}`, ...lines].join(
      '<br>',
    );
  };
  const option = {
    color: models.map((_m, i) => colour(i)),
    legend: {
      type: 'scroll',
      top: 0,
      data: models.map((m, i) => modelTag(m, i)),
      itemWidth: 18,
      itemHeight: 8,
    },
    parallel: {
      left: 48,
      right: 64,
      top: 70,
      bottom: 28,
      parallelAxisDefault: { nameGap: 10, nameTruncate: { maxWidth: 78 } },
    },
    parallelAxis: axes,
    series,
    tooltip: { trigger: 'item', confine: true, formatter: (p) => tip(p.seriesIndex) },
  };
  const holder = el('div', { class: 'chart-holder' });
  const scroll = el('div', { class: 'chart-scroll' }, holder);
  const figure = el(
    'figure',
    { class: 'parallel-chart', id: 'parallel-chart' },
    el(
      'figcaption',
      {},
      el('strong', {}, 'All metrics at once'),
      ' ',
      el(
        'span',
        { class: 'muted small' },
        'One axis per metric, one line per model. Every axis is turned so that up is better (↓ marks a lower-is-better metric whose axis runs downwards). A model without a metric has no point on that axis.',
      ),
    ),
    scroll,
  );
  const handle = drawChart(holder, option, {
    label: `Parallel coordinates of ${rows.length} metrics across ${models.length} models; on every axis up is better.`,
    height: 340,
    describe: (s) => tip(s).replace(/<br>/g, '; ').replace(/<[^>]+>/g, ''),
    table: {
      caption: 'Metric values by model (raw, as registered)',
      columns: [
        'Model',
        ...rows.map((r) => `${r.name} (${r.better === 'LOWER' ? 'lower' : 'higher'} is better)`),
      ],
      rows: models.map((m, i) => [
        `${modelTag(m, i)} ${m.title}`,
        ...rows.map((row) => {
          const c = row.cells.find((x) => x.modelId === m.id);
          return c && c.value !== null ? `${mark(c)}${String(c.value)}` : '—';
        }),
      ]),
    },
  });
  // Axes need room to stay readable; a narrow screen scrolls the chart in its own box.
  handle.plot.style.minWidth = `${rows.length * 84 + 112}px`;
  const readout = holder.querySelector('.chart-readout');
  figure.append(readout, handle.details);
  return figure;
}

export function renderCharts(cmp) {
  const index = modelIndex(cmp.models);
  const rows = cmp.metrics.filter((r) => r.reportedCount >= 2);
  // Metrics reported by the same models sit side by side, so each model's line stays whole.
  const reporters = (r) =>
    r.cells.map((c) => (c.value === null ? '0' : '1')).join('');
  const axes = [...rows].sort((a, b) => reporters(b).localeCompare(reporters(a)));
  const single = cmp.metrics.filter((r) => r.reportedCount < 2);
  if (!rows.length) {
    return section(
      'charts',
      'Charts',
      el(
        'p',
        { class: 'muted' },
        'No metric is reported by two or more of these models, so there is nothing to chart.',
      ),
    );
  }
  return section(
    'charts',
    'Charts',
    el(
      'p',
      { class: 'note' },
      'Each bar chart puts the models of one metric side by side, normalised by the metric’s direction: a longer bar is better for every metric (the worst value at 0, the best at 1). The labels and tooltips show the raw values. Focus a chart and use the arrow keys to step through its values; each chart has its data as a table below it.',
    ),
    el('div', { class: 'metric-charts' }, rows.map((row) => barChart(row, cmp, index))),
    single.length
      ? el(
          'p',
          { class: 'note' },
          'Not charted (fewer than two models report them): ',
          single.map((r, k) => [k ? ', ' : '', el('code', {}, r.name)]),
          '.',
        )
      : null,
    rows.length >= 2
      ? parallelChart(axes, cmp, index)
      : el('p', { class: 'note' }, 'A parallel-coordinates view needs two or more metrics.'),
  );
}
