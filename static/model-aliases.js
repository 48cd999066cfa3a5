// The model page's aliases: the lineage's aliases (Query.aliases) with the version each holds and
// its gate, a warning in the head when a protected alias holds this version but no longer passes
// its gate, and the alias history one page at a time (aliasHistory with aliasHistoryCount).

import { gql } from './api.js';
import { el, srOnly, fmtCount, fmtDate, fmtNum, modelHref, aliasBadges } from './ui.js';
import { scrollBox } from './model-panels.js';

export const HISTORY_PAGE_SIZE = 20;

const MOVE = 'at actor alias fromVersionId toVersionId reason';

export const ALIASES_QUERY = `query Aliases($lineageId: ID!, $id: ID!, $limit: Int!) {
  aliases(lineageId: $lineageId) {
    alias protected passes
    version { id versionNumber }
    gate { metric threshold minImprovement minRelativeImprovement }
    checks { code message metric wanted got }
  }
  model(id: $id) { aliasHistoryCount aliasHistory(limit: $limit, offset: 0) { ${MOVE} } }
}`;

const HISTORY_QUERY = `query AliasHistory($id: ID!, $limit: Int!, $offset: Int!) {
  model(id: $id) { aliasHistoryCount aliasHistory(limit: $limit, offset: $offset) { ${MOVE} } }
}`;

/** The protected aliases that hold version `m` and fail their gate now. */
function failingHolders(m, aliases) {
  return aliases.filter((a) => a.protected && !a.passes && a.version.id === m.id);
}

function checkList(checks, label) {
  return el(
    'ul',
    { class: 'warnings gate-checks', 'aria-label': label },
    checks.map((c) => el('li', { 'data-code': c.code }, el('code', {}, c.code), ' ', c.message)),
  );
}

/** The head's warning: deployments still get this version, but its gate fails. */
export function heldWarning(m, aliases) {
  const failing = failingHolders(m, aliases);
  if (!failing.length) return null;
  const names = failing.map((a) => a.alias);
  return el(
    'div',
    { class: 'alias-warning', id: 'alias-warning', role: 'note', 'data-aliases': names.join(' ') },
    el(
      'p',
      {},
      el('span', { 'aria-hidden': 'true' }, '⚠ '),
      srOnly('Warning: '),
      failing.length === 1 ? 'The protected alias ' : 'The protected aliases ',
      names.map((n, i) => [i ? ', ' : '', el('code', {}, `${m.lineageId}@${n}`)]),
      failing.length === 1 ? ' holds' : ' hold',
      ' this version, which no longer passes its gate. The alias stays, so deployments keep ',
      'getting this version; move it to one that passes.',
    ),
    failing.map((a) => checkList(a.checks, `Failed checks of ${a.alias}`)),
  );
}

/** "auc 0.9 or better; +0.01 over the held version" for one gate metric. */
function gateRule(g) {
  const parts = [];
  if (g.threshold !== null) parts.push(`${fmtNum(g.threshold)} or better`);
  if (g.minImprovement !== null)
    parts.push(`better by ${fmtNum(g.minImprovement)} than the version held`);
  if (g.minRelativeImprovement !== null)
    parts.push(`better by ${fmtNum(g.minRelativeImprovement * 100)}% than the version held`);
  return el(
    'li',
    { 'data-metric': g.metric },
    el('code', {}, g.metric),
    ' ',
    parts.length ? parts.join('; ') : 'reported',
  );
}

function protection(a) {
  if (!a.protected) return el('span', { class: 'muted' }, 'not protected');
  return [
    el('span', { class: 'badge protected-badge', 'data-flag': 'protected' }, 'protected'),
    el(
      'span',
      { class: 'sub' },
      'complete provenance, not archived',
      a.gate.length ? ', and:' : '',
    ),
    a.gate.length ? el('ul', { class: 'gate-rules' }, a.gate.map(gateRule)) : null,
  ];
}

function gateState(a) {
  if (!a.protected) return el('span', { class: 'muted' }, 'no gate');
  if (a.passes)
    return el('span', { class: 'ok', 'data-gate': 'passes' }, '✓ passes its gate');
  return [
    el(
      'span',
      { class: 'flag gate-failing', 'data-gate': 'fails' },
      el('span', { 'aria-hidden': 'true' }, '⚠ '),
      'no longer passes its gate',
    ),
    checkList(a.checks, `Failed checks of ${a.alias}`),
  ];
}

function versionRef(id, number, current) {
  return [
    el('a', { href: modelHref(id) }, el('code', {}, number === null ? id : `@${number}`)),
    current ? el('span', { class: 'muted small' }, ' (this version)') : null,
  ];
}

/** The table of the lineage's aliases, or a sentence when it has none. */
export function aliasesTable(m, aliases) {
  if (!aliases.length)
    return el(
      'p',
      { class: 'muted', id: 'aliases-empty' },
      'No alias points at a version of ',
      el('code', {}, m.lineageId),
      ' yet. Deployments can name a version by an alias such as ',
      el('code', {}, `${m.lineageId}@production`),
      ' once setAlias sets one.',
    );
  return scrollBox(
    el(
      'table',
      { class: 'data', id: 'aliases-table' },
      el('caption', {}, `Aliases of ${m.lineageId}, by name`),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Alias'),
          el('th', { scope: 'col' }, 'Points at'),
          el('th', { scope: 'col' }, 'Protection'),
          el('th', { scope: 'col' }, 'Gate now'),
        ),
      ),
      el(
        'tbody',
        {},
        aliases.map((a) =>
          el(
            'tr',
            {
              'data-alias': a.alias,
              'data-version-id': a.version.id,
              class: a.version.id === m.id ? 'current' : null,
            },
            el('th', { scope: 'row' }, aliasBadges(m.lineageId, [a.alias])),
            el('td', {}, versionRef(a.version.id, a.version.versionNumber, a.version.id === m.id)),
            el('td', {}, protection(a)),
            el('td', {}, gateState(a)),
          ),
        ),
      ),
    ),
    'Aliases',
  );
}

function move(m, from, to) {
  const ref = (id) => versionRef(id, null, id === m.id);
  if (!from) return ['set to ', ref(to)];
  if (!to) return ['removed from ', ref(from)];
  return [ref(from), ' → ', ref(to)];
}

function historyTable(m, moves, offset, count) {
  const caption =
    count > moves.length
      ? `Alias moves ${fmtCount(offset + 1)}–${fmtCount(offset + moves.length)} of ` +
        `${fmtCount(count)}, newest first`
      : 'Every alias move of this lineage, newest first';
  return scrollBox(
    el(
      'table',
      { class: 'data', id: 'alias-history-table' },
      el('caption', {}, caption),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['When', 'Alias', 'Move', 'By', 'Reason'].map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      el(
        'tbody',
        {},
        moves.map((x) =>
          el(
            'tr',
            { 'data-alias': x.alias },
            el('td', { class: 'small nowrap' }, el('time', { datetime: x.at }, fmtDate(x.at))),
            el('td', {}, el('code', {}, x.alias)),
            el('td', { class: 'alias-move' }, move(m, x.fromVersionId, x.toVersionId)),
            el('td', {}, el('code', {}, x.actor)),
            el(
              'td',
              { class: 'reason' },
              x.reason ? x.reason : el('span', { class: 'muted' }, 'no reason given'),
            ),
          ),
        ),
      ),
    ),
    'Alias history',
  );
}

/**
 * Fill `target` with one page of the alias history, newest first, and a pager; `first` is the
 * first page when the caller fetched it already. The pager keeps focus on the button used.
 */
export async function showAliasHistory(target, m, offset, first = null, focus = null) {
  target.setAttribute('aria-busy', 'true');
  const page =
    first ??
    (await gql(HISTORY_QUERY, { id: m.id, limit: HISTORY_PAGE_SIZE, offset })).model;
  const { aliasHistory: moves, aliasHistoryCount: count } = page;
  target.removeAttribute('aria-busy');
  if (!count) {
    target.replaceChildren(
      el(
        'p',
        { class: 'muted', id: 'alias-history-empty' },
        'No alias of this lineage has moved yet.',
      ),
    );
    return;
  }
  const pages = Math.max(1, Math.ceil(count / HISTORY_PAGE_SIZE));
  const pageNo = Math.floor(offset / HISTORY_PAGE_SIZE) + 1;
  const button = (name, label, to, disabled) =>
    el(
      'button',
      {
        type: 'button',
        'data-page': name,
        disabled: disabled || null,
        onclick: () => showAliasHistory(target, m, to, null, name),
      },
      label,
    );
  const last = (pages - 1) * HISTORY_PAGE_SIZE;
  const pager =
    count > HISTORY_PAGE_SIZE
      ? el(
          'nav',
          { class: 'pager', 'aria-label': 'Pages of alias moves' },
          button('newest', '« Newest', 0, offset === 0),
          button('newer', '‹ Newer', Math.max(0, offset - HISTORY_PAGE_SIZE), offset === 0),
          el(
            'span',
            { class: 'page-of', 'aria-live': 'polite' },
            `Page ${fmtCount(pageNo)} of ${fmtCount(pages)}`,
          ),
          button('older', 'Older ›', offset + HISTORY_PAGE_SIZE, pageNo >= pages),
          button('oldest', 'Oldest »', last, pageNo >= pages),
        )
      : null;
  target.replaceChildren(...[historyTable(m, moves, offset, count), pager].filter(Boolean));
  if (focus) target.querySelector(`[data-page="${focus}"]:not([disabled])`)?.focus();
}
