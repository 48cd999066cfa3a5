// Compare page sections: the training configuration and metadata diff tables.

import { el, srOnly, fmtNum, fmtScore, fmtDate, fmtJson, familyLabel } from './ui.js';
import { section, modelColumnHead } from './compare-sections.js';

const METADATA_LABELS = {
  family: 'Family',
  architecture: 'Architecture',
  parameter_count: 'Parameters',
  version_number: 'Version',
  created_at: 'Registered',
  raw_quality_score: 'Raw quality score',
  quality_score: 'Effective quality score',
};

export function diffCell(cell, format) {
  if (!cell.present) {
    return el(
      'td',
      { 'data-model-id': cell.modelId, 'data-missing': 'true' },
      el('span', { class: 'missing' }, '(missing)'),
    );
  }
  if (cell.value === '') {
    return el('td', { 'data-model-id': cell.modelId }, el('span', { class: 'missing' }, '(empty)'));
  }
  return el('td', { 'data-model-id': cell.modelId }, format(cell.value));
}

export function diffTable(id, rows, models, captionText, keyView, format) {
  return el(
    'table',
    { class: 'data diff-table', id },
    el('caption', {}, captionText),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Key'), models.map(modelColumnHead))),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {
            class: row.differs ? 'differs' : null,
            'data-key': row.key,
            'data-differs': String(row.differs),
          },
          el(
            'th',
            { scope: 'row' },
            keyView(row.key),
            row.differs
              ? [
                  el('span', { class: 'differs-mark', 'aria-hidden': 'true' }, '≠'),
                  srOnly(' (differs)'),
                ]
              : null,
          ),
          row.cells.map((c) => diffCell(c, (v) => format(row.key, v))),
        ),
      ),
    ),
  );
}

export function renderConfig(cmp) {
  const rows = cmp.trainingConfig;
  if (!rows.length) {
    return section(
      'config',
      'Training configuration',
      el('p', { class: 'muted' }, 'No model records a training configuration.'),
    );
  }
  const differing = rows.filter((r) => r.differs).length;
  const toggle = el('input', { type: 'checkbox', id: 'only-differences', checked: true });
  const count = el('span', { id: 'config-count', class: 'muted small', 'aria-live': 'polite' });
  const allSame = el(
    'p',
    { id: 'config-all-same', class: 'note', hidden: true },
    `All ${rows.length} keys have the same value in every model.`,
  );
  const table = diffTable(
    'config-table',
    rows,
    cmp.models,
    'Training configuration as dotted keys. Highlighted rows (≠) differ between models; (missing) means the model has no such key.',
    (key) => el('code', {}, key),
    (_key, v) => (typeof v === 'string' ? v : el('code', {}, fmtJson(v))),
  );
  const apply = () => {
    const only = toggle.checked;
    for (const tr of table.tBodies[0].rows) tr.hidden = only && tr.dataset.differs !== 'true';
    count.textContent = only
      ? `Showing the ${differing} of ${rows.length} keys that differ.`
      : `Showing all ${rows.length} keys; ${differing} differ.`;
    allSame.hidden = !(only && differing === 0);
  };
  toggle.addEventListener('change', apply);
  apply();
  const head = el(
    'div',
    { class: 'section-head' },
    el('h2', { id: 'config-title' }, 'Training configuration'),
    el(
      'div',
      { class: 'toolbar' },
      count,
      el('label', { class: 'toggle', for: 'only-differences' }, toggle, 'Show only differences'),
    ),
  );
  return el(
    'section',
    { id: 'config', class: 'panel', 'aria-labelledby': 'config-title' },
    head,
    allSame,
    el('div', { class: 'table-scroll' }, table),
  );
}

export function formatMetadata(key, value) {
  if (value === null || value === undefined) return el('span', { class: 'missing' }, 'null');
  switch (key) {
    case 'family':
      return familyLabel(value);
    case 'created_at':
      return el('time', { datetime: value, title: value }, fmtDate(value));
    case 'raw_quality_score':
    case 'quality_score':
      return fmtScore(value);
    case 'version_number':
      return `@${value}`;
    case 'parameter_count':
      return el('span', { title: String(value) }, fmtNum(value));
    default:
      return fmtJson(value);
  }
}

export function renderMetadata(cmp) {
  const table = diffTable(
    'metadata-table',
    cmp.metadata,
    cmp.models,
    'Recorded attributes of each version. Highlighted rows (≠) differ between models.',
    (key) => el('span', { title: key }, METADATA_LABELS[key] || key),
    formatMetadata,
  );
  return section('metadata', 'Metadata', el('div', { class: 'table-scroll' }, table));
}
