// A refused filter (BAD_FILTER, FILTER_TOO_COMPLEX) shown beside the filter box: the code, the
// server's message, and the line of the filter with a caret under the character it points at.

import { el } from './ui.js';

const CHAR_PX = 8; // about one monospace character of .filter-caret

/** The line of `text` holding `position`, cut to about `width` characters around it (more
 *  before than after, so the reader sees what led there), and the caret's column in it. */
export function caretLine(text, position, width) {
  const start = text.lastIndexOf('\n', position - 1) + 1;
  const newline = text.indexOf('\n', position);
  const end = newline < 0 ? text.length : newline;
  const before = Math.floor(width * 0.6);
  const from = Math.max(start, position - before);
  const to = Math.min(end, from + width - 2);
  const head = from > start ? '…' : '';
  const line = head + text.slice(from, to) + (to < end ? '…' : '');
  return { line, column: head.length + position - from };
}

/** Show `err` in `target` and mark `box` invalid; with `focus`, put the cursor at the spot. */
export function showFilterError(target, box, err, { focus = false } = {}) {
  const text = box.value;
  const parts = [
    el(
      'p',
      { class: 'filter-error-message' },
      el('code', { class: 'error-code' }, err.code),
      ' ',
      err.message,
    ),
  ];
  target.hidden = false; // shown before it is measured
  if (err.position !== null && err.position <= text.length) {
    const width = Math.max(24, Math.floor((target.clientWidth || box.clientWidth) / CHAR_PX) - 3);
    const { line, column } = caretLine(text, err.position, width);
    parts.push(
      el(
        'pre',
        { class: 'filter-caret', 'aria-hidden': 'true', 'data-position': String(err.position) },
        el('span', { class: 'caret-text' }, line),
        '\n',
        el('span', { class: 'caret' }, ' '.repeat(column) + '^'),
      ),
    );
  }
  target.replaceChildren(...parts);
  target.dataset.code = err.code;
  box.setAttribute('aria-invalid', 'true');
  if (focus) {
    box.focus();
    if (err.position !== null)
      box.setSelectionRange(err.position, Math.min(err.position + 1, text.length));
  }
}

export function clearFilterError(target, box) {
  target.hidden = true;
  target.replaceChildren();
  delete target.dataset.code;
  box.removeAttribute('aria-invalid');
}
