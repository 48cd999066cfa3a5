// The model page's versions: one page of the lineage at a time (Model.versions(limit, offset)
// with versionsCount), opening on the page that holds the version shown, so a lineage of 10,000
// versions costs one page of rows.

import { gql } from './api.js';
import {
  el,
  fmtCount,
  fmtDate,
  modelHref,
  scoreView,
  archivedBadge,
  aliasBadges,
} from './ui.js';
import { scrollBox } from './model-panels.js';

export const PAGE_SIZE = 20;

const VERSIONS_QUERY = `query Versions($id: ID!, $limit: Int!, $offset: Int!) {
  model(id: $id) {
    versionsCount
    versions(limit: $limit, offset: $offset) {
      id versionNumber isLatest title createdAt qualityScore rawQualityScore
      archived archivedReason aliases
      provenance { complete warnings { code message } }
    }
  }
}`;

/** The offset of the page holding version `n` (versions are numbered 1..count, oldest first). */
export function pageOffset(n) {
  return Math.floor((Math.max(1, n) - 1) / PAGE_SIZE) * PAGE_SIZE;
}

function table(m, versions, offset, count) {
  const first = offset + 1;
  const last = offset + versions.length;
  return scrollBox(
    el(
      'table',
      { class: 'data sticky-first', id: 'versions-table' },
      el(
        'caption',
        {},
        count > versions.length
          ? `Versions ${fmtCount(first)}–${fmtCount(last)} of ${fmtCount(count)} ` +
            `of ${m.lineageId}, oldest first`
          : `Every version of ${m.lineageId}, oldest first`,
      ),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Version'),
          el('th', { scope: 'col' }, 'Title'),
          el('th', { scope: 'col', class: 'num' }, 'Quality score'),
          el('th', { scope: 'col' }, 'Registered'),
        ),
      ),
      el(
        'tbody',
        {},
        versions.map((v) =>
          el(
            'tr',
            {
              class: v.id === m.id ? 'current' : null,
              'aria-current': v.id === m.id ? 'true' : null,
              'data-model-id': v.id,
            },
            el(
              'th',
              { scope: 'row' },
              el('a', { href: modelHref(v.id) }, el('code', {}, `@${v.versionNumber}`)),
              v.isLatest ? [' ', el('span', { class: 'badge' }, 'latest')] : null,
              v.archived ? [' ', archivedBadge(v)] : null,
            ),
            el(
              'td',
              {},
              v.id === m.id ? el('strong', {}, v.title) : v.title,
              el('span', { class: 'sub' }, v.id),
              aliasBadges(m.lineageId, v.aliases),
            ),
            el('td', { class: 'num' }, scoreView(v)),
            el('td', { class: 'small nowrap' }, fmtDate(v.createdAt)),
          ),
        ),
      ),
    ),
    'Versions',
  );
}

/**
 * Fill `target` with the page of versions at `offset` and a pager. Resolves to the page's
 * versions. The pager keeps keyboard focus on the button used.
 */
export async function showVersions(target, m, offset, focus = null) {
  target.setAttribute('aria-busy', 'true');
  const data = await gql(VERSIONS_QUERY, { id: m.id, limit: PAGE_SIZE, offset });
  const { versions, versionsCount: count } = data.model;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const pageNo = Math.floor(offset / PAGE_SIZE) + 1;
  const go = (to, name) => () => showVersions(target, m, to, name);
  const button = (name, label, to, disabled) =>
    el(
      'button',
      { type: 'button', 'data-page': name, disabled: disabled || null, onclick: go(to, name) },
      label,
    );
  const jump = el('input', {
    type: 'number',
    min: 1,
    max: count,
    inputmode: 'numeric',
    id: 'version-jump',
    'aria-label': 'Version number to show',
    placeholder: `1–${count}`,
  });
  const pager =
    count > PAGE_SIZE
      ? el(
          'nav',
          { class: 'pager', 'aria-label': 'Pages of versions' },
          button('first', '« First', 0, offset === 0),
          button('previous', '‹ Older', Math.max(0, offset - PAGE_SIZE), offset === 0),
          el(
            'span',
            { class: 'page-of', 'aria-live': 'polite' },
            `Page ${fmtCount(pageNo)} of ${fmtCount(pages)}`,
          ),
          button('next', 'Newer ›', offset + PAGE_SIZE, pageNo >= pages),
          button('last', 'Latest »', (pages - 1) * PAGE_SIZE, pageNo >= pages),
          el(
            'form',
            {
              class: 'jump',
              onsubmit: (event) => {
                event.preventDefault();
                const n = Number.parseInt(jump.value, 10);
                if (Number.isFinite(n) && n >= 1 && n <= count)
                  showVersions(target, m, pageOffset(n), 'jump');
              },
            },
            jump,
            el('button', { type: 'submit' }, 'Go'),
          ),
        )
      : null;
  target.replaceChildren(...[table(m, versions, offset, count), pager].filter(Boolean));
  target.removeAttribute('aria-busy');
  if (focus) {
    const selector = focus === 'jump' ? '#version-jump' : `[data-page="${focus}"]:not([disabled])`;
    target.querySelector(selector)?.focus();
  }
  return versions;
}
