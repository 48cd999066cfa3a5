// Compare page export toolbar: permalink, JSON and CSV downloads.

import { el, compareHref, download, csvField } from './ui.js';

/** Tidy (long) CSV: one line per metric, configuration key and metadata key per model. */
export function toCsv(cmp) {
  const lines = [
    ['section', 'key', 'model_id', 'present', 'value', 'delta', 'best', 'better', 'differs'],
  ];
  for (const row of cmp.metrics) {
    for (const c of row.cells) {
      lines.push([
        'metric',
        row.name,
        c.modelId,
        c.value !== null,
        c.value === null ? '' : c.value,
        c.delta === null ? '' : c.delta,
        c.best,
        row.better.toLowerCase(),
        '',
      ]);
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
        lines.push([name, row.key, c.modelId, c.present, value, '', '', '', row.differs]);
      }
    }
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function renderToolbar(cmp) {
  const pinned = new URL(compareHref(cmp.models.map((m) => m.id)), location.origin).href;
  const stem = `comparison-${cmp.models.length}-models`;
  const say = el('span', { id: 'export-status', class: 'muted small', role: 'status' });
  const link = el('input', {
    type: 'text',
    id: 'permalink',
    readonly: true,
    value: pinned,
    'aria-label': 'Permalink to this comparison',
  });
  return el(
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
            await navigator.clipboard.writeText(pinned);
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
        title: 'One line per model and metric, configuration key or metadata key',
        onclick: () => download(`${stem}.csv`, 'text/csv', toCsv(cmp)),
      },
      'Download CSV',
    ),
    say,
  );
}
