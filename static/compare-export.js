// Compare page export toolbar: permalink (with the view state), JSON and CSV downloads.

import { el, download, csvField, versionLabel } from './ui.js';

export const CSV_COLUMNS = [
  'section',
  'key',
  'model_id',
  'present',
  'value',
  'stderr',
  'lower',
  'upper',
  'delta',
  'relative_delta',
  'best',
  'within_uncertainty',
  'capped',
  'baseline',
  'verdict',
  'better',
  'differs',
  'differs_from_baseline',
  'sharing',
];

// Numbers go out as the server sent them: String() of a JSON number is its shortest decimal,
// so an exact delta such as 0.008 stays 0.008.
const num = (v) => (v === null || v === undefined ? '' : String(v));

function line(fields) {
  return CSV_COLUMNS.map((c) => (c in fields ? fields[c] : ''));
}

/**
 * Tidy (long) CSV: one line per model and metric, configuration key, metadata key, training
 * dataset version and provenance warning (plus whether its provenance is complete).
 */
export function toCsv(cmp) {
  const lines = [CSV_COLUMNS];
  for (const row of cmp.metrics) {
    for (const c of row.cells) {
      lines.push(
        line({
          section: 'metric',
          key: row.name,
          model_id: c.modelId,
          present: c.value !== null,
          value: num(c.value),
          stderr: num(c.stderr),
          lower: num(c.lower),
          upper: num(c.upper),
          delta: num(c.delta),
          relative_delta: num(c.relativeDelta),
          best: c.best,
          within_uncertainty: c.withinUncertainty,
          capped: c.capped,
          baseline: c.baseline,
          verdict: row.verdict.toLowerCase(),
          better: row.better.toLowerCase(),
        }),
      );
    }
  }
  for (const [name, rows] of [
    ['training_config', cmp.trainingConfig],
    ['metadata', cmp.metadata],
  ]) {
    for (const row of rows) {
      for (const c of row.cells) {
        const value = !c.present
          ? ''
          : typeof c.value === 'string'
            ? c.value
            : JSON.stringify(c.value);
        lines.push(
          line({
            section: name,
            key: row.key,
            model_id: c.modelId,
            present: c.present,
            value,
            baseline: c.modelId === cmp.baselineModelId,
            differs: row.differs,
            differs_from_baseline: c.differsFromBaseline,
          }),
        );
      }
    }
  }
  for (const share of cmp.trainingData.datasets) {
    for (const modelId of share.modelIds) {
      lines.push(
        line({
          section: 'training_data',
          key: share.dataset.id,
          model_id: modelId,
          present: true,
          value: versionLabel(share.dataset),
          sharing: share.sharing.toLowerCase(),
        }),
      );
    }
  }
  for (const m of cmp.models) {
    const capped = !m.provenance.complete;
    lines.push(
      line({
        section: 'provenance',
        key: 'complete',
        model_id: m.id,
        present: true,
        value: m.provenance.complete,
        capped,
      }),
    );
    for (const w of m.provenance.warnings || []) {
      lines.push(
        line({
          section: 'provenance_warning',
          key: w.code,
          model_id: m.id,
          present: true,
          value: w.message,
          capped,
        }),
      );
    }
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The toolbar; `permalink()` is the current view's URL path. Call `.refresh()` on changes. */
export function renderToolbar(cmp, permalink) {
  const stem = `comparison-${cmp.models.length}-models`;
  const say = el('span', { id: 'export-status', class: 'muted small', role: 'status' });
  const link = el('input', {
    type: 'text',
    id: 'permalink',
    readonly: true,
    'aria-label': 'Permalink to this comparison',
  });
  const current = () => new URL(permalink(), location.origin).href;
  const bar = el(
    'div',
    { class: 'toolbar', id: 'export-toolbar' },
    el('label', { for: 'permalink' }, 'Permalink'),
    link,
    el(
      'button',
      {
        type: 'button',
        id: 'copy-link',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(current());
            say.textContent = 'Link copied.';
          } catch {
            link.focus();
            link.select();
            say.textContent = 'Press Ctrl+C (⌘C) to copy the selected link.';
          }
        },
      },
      'Copy link',
    ),
    el(
      'button',
      {
        type: 'button',
        id: 'download-json',
        onclick: () =>
          download(`${stem}.json`, 'application/json', JSON.stringify(cmp, null, 2) + '\n'),
      },
      'Download JSON',
    ),
    el(
      'button',
      {
        type: 'button',
        id: 'download-csv',
        title:
          'One line per model and metric, configuration key, metadata key, training dataset and provenance warning',
        onclick: () => download(`${stem}.csv`, 'text/csv', toCsv(cmp)),
      },
      'Download CSV',
    ),
    say,
  );
  bar.refresh = () => {
    link.value = current();
  };
  bar.refresh();
  return bar;
}
