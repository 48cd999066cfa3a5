// The model page's head (facts, score) and its plain tables: metrics, configuration, metadata.

import {
  el,
  fmtNum,
  fmtScore,
  fmtCount,
  fmtDate,
  fmtJson,
  familyLabel,
  versionLabel,
  modelHref,
  compareHref,
  scoreView,
  archivedBadge,
  tagChips,
  aliasBadges,
} from './ui.js';

export function panel(id, title, ...children) {
  return el(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title` }, title),
    children,
  );
}

/** A table in a box that scrolls sideways by itself when the table is wider than the page. */
export function scrollBox(table, label) {
  return el(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label },
    table,
  );
}

/** Nested objects as dotted keys, as compareModels shows them. */
export function flatten(config, prefix = '', out = {}) {
  for (const [key, value] of Object.entries(config || {})) {
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
      flatten(value, `${prefix}${key}.`, out);
    } else {
      out[`${prefix}${key}`] = value;
    }
  }
  return out;
}

export function keyValueTable(id, caption, entries, emptyText) {
  if (!entries.length) return el('p', { class: 'muted' }, emptyText);
  return scrollBox(
    el(
      'table',
      { class: 'data kv', id },
      el('caption', {}, caption),
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col' }, 'Key'), el('th', { scope: 'col' }, 'Value')),
      ),
      el(
        'tbody',
        {},
        entries.map(([k, v]) =>
          el(
            'tr',
            { 'data-key': k },
            el('th', { scope: 'row' }, el('code', {}, k)),
            el('td', {}, fmtJson(v)),
          ),
        ),
      ),
    ),
    caption,
  );
}

function interval(x) {
  if (typeof x.lower === 'number' && typeof x.upper === 'number')
    return el(
      'span',
      { class: 'interval muted small' },
      typeof x.stderr === 'number' ? ` ± ${fmtNum(x.stderr)}` : '',
      ` [${fmtNum(x.lower)}, ${fmtNum(x.upper)}]`,
    );
  return null;
}

export function metricsTable(metrics) {
  if (!metrics.length) return el('p', { class: 'muted' }, 'No evaluation metrics were registered.');
  return scrollBox(
    el(
      'table',
      { class: 'data', id: 'metrics-table' },
      el('caption', {}, 'Evaluation metrics, as registered (with their interval when given)'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Metric'),
          el('th', { scope: 'col', class: 'num' }, 'Value'),
          el('th', { scope: 'col' }, 'Better'),
        ),
      ),
      el(
        'tbody',
        {},
        metrics.map((x) =>
          el(
            'tr',
            { 'data-metric': x.name },
            el('th', { scope: 'row' }, el('code', {}, x.name)),
            el('td', { class: 'num', title: String(x.value) }, fmtNum(x.value), interval(x)),
            el('td', {}, x.better === 'LOWER' ? '↓ lower' : '↑ higher'),
          ),
        ),
      ),
    ),
    'Evaluation metrics',
  );
}

/** The head: facts, notes about the version asked for, compare links, the score panel. */
export function modelHead(m, askedId) {
  const latest = m.latest;
  return el(
    'div',
    { class: 'model-head' },
    el(
      'div',
      { class: 'model-facts' },
      el(
        'ul',
        { class: 'facts' },
        el('li', {}, el('code', { id: 'model-id' }, m.id)),
        el(
          'li',
          {},
          el('code', {}, versionLabel(m)),
          ' ',
          m.isLatest ? el('span', { class: 'badge' }, 'latest') : null,
          el('span', { class: 'muted' }, ` of ${fmtCount(m.versionsCount)}`),
        ),
        m.aliases.length
          ? el('li', { id: 'model-aliases' }, aliasBadges(m.lineageId, m.aliases))
          : null,
        m.archived ? el('li', { id: 'model-archived' }, archivedBadge(m, { long: true })) : null,
        m.tags.length ? el('li', { id: 'model-tags' }, tagChips(m.tags)) : null,
        el('li', {}, familyLabel(m.family)),
        m.architecture ? el('li', {}, m.architecture) : null,
        el('li', { title: String(m.parameterCount) }, `${fmtCount(m.parameterCount)} parameters`),
        m.uri
          ? el('li', { class: 'location' }, 'stored at ', el('code', { id: 'model-uri' }, m.uri))
          : null,
        m.digest ? el('li', {}, el('code', { id: 'model-digest', title: 'digest' }, m.digest)) : null,
        m.sizeBytes != null
          ? el('li', { title: `${m.sizeBytes} bytes` }, `${fmtCount(m.sizeBytes)} bytes`)
          : null,
        el(
          'li',
          { class: 'muted' },
          'registered ',
          el('time', { datetime: m.createdAt }, fmtDate(m.createdAt)),
        ),
      ),
      askedId !== m.id
        ? el(
            'p',
            { class: 'note', id: 'asked-note' },
            askedId.includes('@')
              ? [
                  'You opened the alias ',
                  el('code', {}, askedId),
                  '; it points at this version now. ',
                ]
              : [
                  'You opened the lineage ',
                  el('code', {}, askedId),
                  '; this is its latest version. ',
                ],
            el('a', { href: modelHref(m.id) }, 'Link to this version'),
            '.',
          )
        : null,
      el('div', { id: 'alias-warning-slot' }),
      !m.isLatest && latest
        ? el(
            'p',
            { class: 'note' },
            'A newer version exists: ',
            el('a', { href: modelHref(latest.id) }, el('code', {}, latest.id)),
            '.',
          )
        : null,
      m.description ? el('p', { class: 'description' }, m.description) : null,
      el('p', { class: 'toolbar', id: 'compare-links' }),
    ),
    el(
      'div',
      { class: 'score-panel', id: 'score-panel' },
      el('div', { class: 'muted small' }, 'Effective quality score'),
      scoreView(m, { long: true }),
      el(
        'div',
        { class: 'small muted' },
        `raw score ${fmtScore(m.rawQualityScore)}; ` +
          'any provenance warning caps the effective score at 0.30',
      ),
    ),
  );
}

/** Compare with the previous version, and the last ten, once the neighbours are known. */
export function compareLinks(m, previous, recent) {
  return [
    previous
      ? el(
          'a',
          { class: 'button', href: compareHref([previous.id, m.id]), id: 'compare-previous' },
          `Compare with @${previous.versionNumber}`,
        )
      : null,
    recent.length > 2
      ? el(
          'a',
          { class: 'button', href: compareHref(recent.map((v) => v.id)), id: 'compare-recent' },
          `Compare ${recent.length === m.versionsCount ? 'all' : 'the last'} ` +
            `${recent.length} versions`,
        )
      : null,
  ];
}
