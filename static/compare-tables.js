// Compare page sections: the training configuration and metadata diff tables. In a differing
// row the cells that differ from the baseline are marked; a toggle shows only differing rows.

import { el, srOnly, fmtNum, fmtScore, fmtDate, fmtJson, familyLabel } from './ui.js';
import { modelColumnHead } from './compare-sections.js';

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
  const attrs = {
    'data-model-id': cell.modelId,
    class: cell.differsFromBaseline ? 'differs-from-baseline' : null,
    'data-differs-from-baseline': String(Boolean(cell.differsFromBaseline)),
  };
  const mark = cell.differsFromBaseline ? srOnly(' (differs from the baseline)') : null;
  if (!cell.present) {
    return el(
      'td',
      { ...attrs, 'data-missing': 'true' },
      el('span', { class: 'missing' }, '(missing)'),
      mark,
    );
  }
  if (cell.value === '') {
    return el('td', attrs, el('span', { class: 'missing' }, '(empty)'), mark);
  }
  return el('td', attrs, format(cell.value), mark);
}

export function diffTable(id, rows, cmp, captionText, keyView, format) {
  return el(
    'table',
    { class: 'data diff-table compare-grid', id },
    el('caption', {}, captionText),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Key'),
        cmp.models.map((m, i) => modelColumnHead(m, i, cmp.baselineModelId)),
      ),
    ),
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

/**
 * A diff table in its section, with a "Show only differences" toggle whose state is kept in
 * `state.diff` under `name` (onChange tells the page, which keeps it in the URL).
 */
function diffSection({ name, title, rows, table, noun, state, onChange }) {
  const differing = rows.filter((r) => r.differs).length;
  const toggleId = name === 'config' ? 'only-differences' : `only-differences-${name}`;
  const toggle = el('input', { type: 'checkbox', id: toggleId, checked: state.diff.has(name) });
  const count = el('span', { id: `${name}-count`, class: 'muted small', 'aria-live': 'polite' });
  const allSame = el(
    'p',
    { id: `${name}-all-same`, class: 'note', hidden: true },
    `All ${rows.length} ${noun} have the same value in every model.`,
  );
  const apply = () => {
    const only = toggle.checked;
    for (const tr of table.tBodies[0].rows) tr.hidden = only && tr.dataset.differs !== 'true';
    count.textContent = only
      ? `Showing the ${differing} of ${rows.length} ${noun} that differ.`
      : `Showing all ${rows.length} ${noun}; ${differing} differ.`;
    allSame.hidden = !(only && differing === 0);
  };
  toggle.addEventListener('change', () => {
    if (toggle.checked) state.diff.add(name);
    else state.diff.delete(name);
    apply();
    onChange();
  });
  apply();
  return el(
    'section',
    { id: name, class: 'panel', 'aria-labelledby': `${name}-title` },
    el(
      'div',
      { class: 'section-head' },
      el('h2', { id: `${name}-title` }, title),
      el(
        'div',
        { class: 'toolbar' },
        count,
        el(
          'label',
          { class: 'toggle', for: toggleId },
          toggle,
          'Show only differences',
          srOnly(` in the ${title.toLowerCase()}`),
        ),
      ),
    ),
    allSame,
    el('div', { class: 'table-scroll compare-scroll' }, table),
  );
}

export function renderConfig(cmp, state, onChange) {
  const rows = cmp.trainingConfig;
  if (!rows.length) {
    return el(
      'section',
      { id: 'config', class: 'panel', 'aria-labelledby': 'config-title' },
      el(
        'div',
        { class: 'section-head' },
        el('h2', { id: 'config-title' }, 'Training configuration'),
      ),
      el('p', { class: 'muted' }, 'No model records a training configuration.'),
    );
  }
  const table = diffTable(
    'config-table',
    rows,
    cmp,
    'Training configuration as dotted keys. Highlighted rows (≠) differ between models; in them, outlined cells differ from the baseline. (missing) means the model has no such key.',
    (key) => el('code', {}, key),
    (_key, v) => (typeof v === 'string' ? v : el('code', {}, fmtJson(v))),
  );
  return diffSection({
    name: 'config',
    title: 'Training configuration',
    rows,
    table,
    noun: 'keys',
    state,
    onChange,
  });
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

export function renderMetadata(cmp, state, onChange) {
  const table = diffTable(
    'metadata-table',
    cmp.metadata,
    cmp,
    'Recorded attributes of each version. Highlighted rows (≠) differ between models; in them, outlined cells differ from the baseline.',
    (key) => el('span', { title: key }, METADATA_LABELS[key] || key),
    formatMetadata,
  );
  return diffSection({
    name: 'metadata',
    title: 'Metadata',
    rows: cmp.metadata,
    table,
    noun: 'attributes',
    state,
    onChange,
  });
}
