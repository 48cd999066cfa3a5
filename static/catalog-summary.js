// The catalog's lines about the page shown: what it lists, how it is sorted, where it is.

import { el, familyLabel } from './ui.js';
import { METRIC, effectiveOrder } from './catalog-columns.js';

const $ = (id) => document.getElementById(id);

function describe(state) {
  const parts = [];
  if (state.family) parts.push(`family: ${familyLabel(state.family)}`);
  if (state.dataset) parts.push(`trained on: ${state.dataset}`);
  if (state.hypothesis) parts.push(`testing: ${state.hypothesis}`);
  if (state.q) parts.push(`title contains: “${state.q}”`);
  if (state.tag) parts.push(`tag: ${state.tag}`);
  if (state.alias) parts.push(`alias: ${state.alias}`);
  if (state.latest) parts.push('latest versions only');
  if (state.filter) parts.push(`filter: ${state.filter}`);
  return parts.map((p) => ' · ' + p).join('');
}

function sortCaption(state, directions) {
  const order = effectiveOrder(state, directions);
  const how = order === 'asc' ? 'ascending' : order === 'desc' ? 'descending' : 'best first';
  if (state.sort.startsWith(METRIC)) {
    const name = state.sort.slice(METRIC.length);
    const best = state.order || !order ? '' : ', best first';
    return `Models sorted by ${name} (${how}${best}; models without it last)`;
  }
  const label = [...$('f-sort').options].find((o) => o.value === state.sort)?.textContent;
  return `Models sorted by ${(label || state.sort).toLowerCase()} (${how})`;
}

/** The summary, the sort line and the pager for REST's `page` of `state`. */
export function showSummary(state, page, directions, firstPage) {
  const caption = sortCaption(state, directions);
  $('models-caption').textContent = caption;
  $('sort-line').textContent = caption.replace(/^Models s/, 'S');
  const summary = $('result-summary');
  const what = describe(state);
  const models = `model${page.total === 1 ? '' : 's'}`;
  const shown = page.models.length;
  if (page.total === 0) {
    summary.replaceChildren(`No model${what}. `, el('a', { href: '/models' }, 'Clear the filters'));
  } else if (!shown) {
    summary.replaceChildren(
      `This page is past the end: ${page.total} ${models}${what}. `,
      el('a', { href: firstPage }, 'Go to the first page'),
    );
  } else if (state.cursor) {
    summary.textContent = `Showing ${shown} of ${page.total} ${models}, after a cursor${what}`;
  } else {
    const range = `${state.offset + 1}–${state.offset + shown}`;
    summary.textContent = `Showing ${range} of ${page.total} ${models}${what}`;
  }
  summary.dataset.total = String(page.total);
  const pages = Math.max(1, Math.ceil(page.total / state.limit));
  $('page-info').textContent = state.cursor
    ? 'A page after a cursor'
    : `Page ${Math.floor(state.offset / state.limit) + 1} of ${pages}`;
  $('prev-page').textContent = state.cursor ? '← First page' : '← Previous';
  $('prev-page').disabled = !state.cursor && state.offset === 0;
  $('next-page').disabled = state.cursor
    ? !page.next_cursor
    : state.offset + state.limit >= page.total;
}
