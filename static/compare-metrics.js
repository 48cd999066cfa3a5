// Compare page: the metrics table. Values with their uncertainty, a best mark only where the
// server's verdict names one, "within uncertainty" where intervals overlap, capped models
// flagged on every highlighted value, and deltas against the baseline exactly as the server
// computed them (never recomputed here: they are exact decimals).

import { el, srOnly, letter, fmtNum, fmtDelta } from './ui.js';
import { section, modelColumnHead, modelIndex, cappedBadge } from './compare-sections.js';

/** A relative difference in percent: "+25%", "-3.1%", "±0%". */
export function fmtPercent(value) {
  const rounded = Number(value.toPrecision(3));
  if (rounded === 0) return '±0%';
  return (rounded > 0 ? '+' : '') + fmtNum(rounded) + '%';
}

/** "± 0.002" (a standard error) or "[0.01, 0.03]" (an interval as registered); null if none. */
export function intervalText(cell) {
  if (cell.stderr !== null && cell.stderr !== undefined) return `± ${fmtNum(cell.stderr)}`;
  if (cell.lower !== null && cell.lower !== undefined && cell.upper !== null) {
    return `[${fmtNum(cell.lower)}, ${fmtNum(cell.upper)}]`;
  }
  return null;
}

/** The exact value and its uncertainty, for tooltips. */
export function exactText(cell) {
  let text = String(cell.value);
  if (cell.stderr !== null && cell.stderr !== undefined) text += `, standard error ${cell.stderr}`;
  if (cell.lower !== null && cell.lower !== undefined) {
    text += `, 95% interval [${cell.lower}, ${cell.upper}]`;
  }
  return text;
}

function letters(ids, index) {
  return ids
    .filter((id) => index.has(id))
    .map((id) => letter(index.get(id).i))
    .join(', ');
}

/** What the row's verdict says, in words. */
export function verdictText(row, index) {
  switch (row.verdict) {
    case 'BEST':
      return row.bestModelIds.length > 1
        ? `best: ${letters(row.bestModelIds, index)} (tied)`
        : `best: ${letters(row.bestModelIds, index)}`;
    case 'WITHIN_UNCERTAINTY': {
      const others = row.overlappingModelIds.filter((id) => !row.leaderModelIds.includes(id));
      return `no clear best: ${letters(row.leaderModelIds, index)} leads, ${letters(others, index)} within uncertainty`;
    }
    default:
      return row.reportedCount === 1
        ? 'only one model reports it: nothing to compare'
        : 'no model reports it';
  }
}

function deltaView(cell, baseline) {
  const tag = letter(baseline.i);
  if (cell.baseline) return el('span', { class: 'delta' }, 'baseline');
  if (cell.delta === null || cell.delta === undefined) {
    return el('span', { class: 'delta' }, `${tag} has none`);
  }
  const relative =
    cell.relativeDelta === null || cell.relativeDelta === undefined
      ? el(
          'span',
          {
            class: 'rel-none',
            title: `No relative difference: ${tag}'s value is 0, and a percentage of 0 is undefined.`,
          },
          '—',
        )
      : el(
          'span',
          { title: `${cell.relativeDelta}% of ${tag}'s value` },
          fmtPercent(cell.relativeDelta),
        );
  return el(
    'span',
    { class: 'delta', title: `${cell.delta} (exact difference from ${tag})` },
    el('span', { class: 'abs' }, fmtDelta(cell.delta)),
    ' (',
    relative,
    `) vs ${tag}`,
  );
}

function metricCell(cell, row, index, baseline) {
  if (cell.value === null) {
    return el(
      'td',
      { class: 'num', 'data-model-id': cell.modelId, 'data-missing': 'true' },
      el('span', { class: 'missing', 'aria-hidden': 'true' }, '—'),
      srOnly('not reported'),
    );
  }
  const entry = index.get(cell.modelId);
  const within = !cell.best && cell.withinUncertainty;
  const highlighted = cell.best || within;
  const interval = intervalText(cell);
  return el(
    'td',
    {
      class: ['num', cell.best && 'best', within && 'within', cell.baseline && 'is-baseline'],
      'data-model-id': cell.modelId,
      'data-best': String(cell.best),
      'data-within': String(cell.withinUncertainty),
      'data-capped': String(cell.capped),
      'data-delta': cell.delta === null ? null : String(cell.delta),
      'data-relative-delta': cell.relativeDelta === null ? null : String(cell.relativeDelta),
      title: exactText(cell),
    },
    el(
      'span',
      { class: 'value-line' },
      cell.best
        ? [el('span', { class: 'best-mark', 'aria-hidden': 'true' }, '★'), srOnly('best: ')]
        : null,
      within
        ? [
            el('span', { class: 'within-mark', 'aria-hidden': 'true' }, '≈'),
            srOnly('within uncertainty of the best: '),
          ]
        : null,
      el('span', { class: 'value' }, fmtNum(cell.value)),
      interval ? el('span', { class: 'interval' }, ' ', interval) : null,
    ),
    highlighted && cell.capped && entry ? cappedBadge(entry.model) : null,
    deltaView(cell, baseline),
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
  const index = modelIndex(models);
  const baseline = index.get(cmp.baselineModelId) || { model: models[0], i: 0 };
  const tag = letter(baseline.i);
  const table = el(
    'table',
    { class: 'data metrics-table compare-grid', id: 'metrics-table' },
    el('caption', {}, `Evaluation metrics, differences against ${tag} (the baseline)`),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Metric'),
        models.map((m, i) => modelColumnHead(m, i, cmp.baselineModelId)),
      ),
    ),
    el(
      'tbody',
      {},
      cmp.metrics.map((row) =>
        el(
          'tr',
          { 'data-metric': row.name, 'data-verdict': row.verdict },
          el(
            'th',
            { scope: 'row' },
            el('code', {}, row.name),
            el(
              'span',
              { class: 'direction' },
              row.better === 'LOWER' ? '↓ lower is better' : '↑ higher is better',
            ),
            el(
              'span',
              { class: ['verdict', `verdict-${row.verdict.toLowerCase()}`] },
              verdictText(row, index),
            ),
          ),
          row.cells.map((c) => metricCell(c, row, index, baseline)),
        ),
      ),
    ),
  );
  return section(
    'metrics',
    'Evaluation metrics',
    el(
      'p',
      { class: 'note', id: 'metrics-note' },
      `★ best value (ties share it) · ≈ within uncertainty: intervals overlap, so no single best · ⚠ capped: incomplete provenance · the small line: difference from ${tag}, the baseline.`,
    ),
    el(
      'details',
      { class: 'more' },
      el('summary', {}, 'How to read this table'),
      el(
        'p',
        { class: 'note' },
        'A best value is named only when two or more models report the metric and the best value’s interval does not overlap another model’s; otherwise ≈ marks the leader and the models within its uncertainty. ± is the standard error (the interval is the value ± 1.96 standard errors); [a, b] is an interval as registered. A capped model’s provenance is incomplete (hover the badge for its warnings), so its numbers cannot be traced to pinned inputs. Differences are computed exactly by the server, in absolute terms and in percent of the baseline (— when the baseline’s value is 0). Values are rounded to 4 significant digits; hover for the exact value (the exports have it too). — means the model does not report that metric.',
      ),
    ),
    el('div', { class: 'table-scroll compare-scroll' }, table),
  );
}
