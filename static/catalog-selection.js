// The catalog's selection of models to compare: ticked rows, kept in session storage so it
// survives paging and filtering, shown as chips beside the compare button.

import { el, compareHref } from './ui.js';

const MAX_COMPARE = 10;
const SELECTION_KEY = 'registry.catalog.selection';

const $ = (id) => document.getElementById(id);

const selected = new Map(); // id -> title, in the order ticked

function loadSelection() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SELECTION_KEY) || '[]');
    for (const [id, title] of saved) selected.set(id, title);
  } catch {
    sessionStorage.removeItem(SELECTION_KEY);
  }
}

function saveSelection() {
  sessionStorage.setItem(SELECTION_KEY, JSON.stringify([...selected]));
}

function renderSelection() {
  const n = selected.size;
  const button = $('compare-selected');
  button.disabled = n < 2 || n > MAX_COMPARE;
  button.textContent =
    n > MAX_COMPARE ? `Compare at most ${MAX_COMPARE}` : `Compare selected${n ? ` (${n})` : ''}`;
  $('clear-selection').hidden = n === 0;
  $('selection-text').textContent =
    n === 0
      ? 'Tick two or more models to compare them.'
      : n === 1
        ? '1 selected; tick one more:'
        : `${n} selected:`;
  $('selection-chips').replaceChildren(
    ...[...selected].map(([id, title]) =>
      el(
        'span',
        { class: 'chip', title, 'data-model-id': id },
        id,
        el(
          'button',
          {
            type: 'button',
            'aria-label': `Unselect ${id}`,
            onclick: () => {
              selected.delete(id);
              saveSelection();
              syncCheckboxes();
              renderSelection();
            },
          },
          '×',
        ),
      ),
    ),
  );
}

function syncCheckboxes() {
  for (const box of document.querySelectorAll('#models-table input[name="select"]')) {
    box.checked = selected.has(box.value);
    box.closest('tr').classList.toggle('is-selected', box.checked);
  }
}

export function isSelected(id) {
  return selected.has(id);
}

/** The tick box of one catalog row. */
export function selectBox(m) {
  const box = el('input', {
    type: 'checkbox',
    name: 'select',
    value: m.id,
    checked: selected.has(m.id),
    'aria-label': `Select ${m.title} (${m.id}) for comparison`,
  });
  box.addEventListener('change', () => {
    if (box.checked) selected.set(m.id, m.title);
    else selected.delete(m.id);
    saveSelection();
    box.closest('tr').classList.toggle('is-selected', box.checked);
    renderSelection();
  });
  return box;
}

/** Restore the saved selection, draw it, and wire its buttons. */
export function startSelection() {
  loadSelection();
  renderSelection();
  $('compare-selected').addEventListener('click', () => {
    if (selected.size >= 2 && selected.size <= MAX_COMPARE)
      location.href = compareHref([...selected.keys()]);
  });
  $('clear-selection').addEventListener('click', () => {
    selected.clear();
    saveSelection();
    syncCheckboxes();
    renderSelection();
  });
}
