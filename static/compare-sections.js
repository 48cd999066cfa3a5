// Compare page sections: shared pieces (section frame, model column heads, letter chips, the
// capped badge) and the model cards.

import {
  el,
  srOnly,
  letter,
  familyLabel,
  versionLabel,
  modelHref,
  compareHref,
  scoreView,
  aliasBadges,
} from './ui.js';
import { refNames } from './compare-state.js';

export const MIN_MODELS = 2;

/** "A · v3": what tells the columns apart when the titles are cut short. */
export function modelTag(model, i) {
  return `${letter(i)} · v${model.versionNumber}`;
}

/** The models of a comparison by id, with their index (for letters and colours). */
export function modelIndex(models) {
  return new Map(models.map((m, i) => [m.id, { model: m, i }]));
}

export function modelColumnHead(model, i, baselineId) {
  const isBaseline = model.id === baselineId;
  return el(
    'th',
    {
      scope: 'col',
      class: ['model-col', isBaseline && 'is-baseline'],
      'data-model-id': model.id,
      title: `${model.title} (${model.id})`,
    },
    el(
      'span',
      { class: 'col-head' },
      el(
        'span',
        { class: 'col-tag' },
        el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
        el('span', { class: 'col-version' }, ` · v${model.versionNumber}`),
        isBaseline ? el('span', { class: 'badge baseline-badge' }, 'baseline') : null,
      ),
      aliasBadges(model.lineageId, model.aliases),
      el('span', { class: 't' }, model.title),
      srOnly(` (${model.id})`),
    ),
  );
}

/** A model named by its letter, with its title in the tooltip and for screen readers. */
export function letterChip(entry) {
  if (!entry) return null;
  const { model, i } = entry;
  return el(
    'span',
    {
      class: 'model-chip',
      'data-model-id': model.id,
      title: `${model.title} (${versionLabel(model)})`,
    },
    el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
    el('span', { class: 'chip-title' }, model.title),
    srOnly(` (model ${letter(i)}, ${versionLabel(model)})`),
  );
}

/** The reason a model's numbers deserve care: its provenance warnings cap its score. */
export function cappedTitle(model) {
  const warnings = (model.provenance.warnings || []).map((w) => `${w.code}: ${w.message}`);
  return [
    `${model.title} has incomplete provenance, so its quality score is capped at 0.3.`,
    'Its metrics cannot be traced to pinned inputs; compare them with care.',
    ...warnings,
  ].join('\n');
}

export function cappedBadge(model) {
  return el(
    'span',
    { class: 'badge capped-badge', title: cappedTitle(model), 'data-flag': 'capped' },
    el('span', { 'aria-hidden': 'true' }, '⚠ '),
    'capped',
  );
}

export function section(id, title, ...children) {
  return el(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    el('div', { class: 'section-head' }, el('h2', { id: `${id}-title` }, title)),
    children,
  );
}

/** A section whose head carries controls (toggles, counts) beside its title. */
export function sectionWithTools(id, title, tools, ...children) {
  return el(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    el(
      'div',
      { class: 'section-head' },
      el('h2', { id: `${id}-title` }, title),
      el('div', { class: 'toolbar' }, tools),
    ),
    children,
  );
}

export function renderCards(cmp, requested) {
  const models = cmp.models;
  return section(
    'models',
    `Models (${models.length})`,
    el(
      'div',
      { class: 'cards' },
      models.map((m, i) => {
        const others = models.filter((o) => o.id !== m.id).map((o) => o.id);
        const asked = requested.find((r) => r !== m.id && r === m.lineageId);
        const byAlias = requested.find((r) => r.includes('@') && refNames(r, m));
        return el(
          'article',
          { class: 'card', 'data-model-id': m.id, 'aria-labelledby': `card-${i}` },
          el(
            'h3',
            { id: `card-${i}` },
            el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
            el('a', { href: modelHref(m.id) }, m.title),
          ),
          m.id === cmp.baselineModelId
            ? el('p', { class: 'small' }, el('span', { class: 'badge baseline-badge' }, 'baseline'))
            : null,
          el(
            'dl',
            {},
            el('dt', {}, 'Version'),
            el(
              'dd',
              {},
              el('code', {}, versionLabel(m)),
              ' ',
              m.isLatest ? el('span', { class: 'badge' }, 'latest') : null,
              m.aliases.length ? ' ' : null,
              aliasBadges(m.lineageId, m.aliases),
            ),
            el('dt', {}, 'Id'),
            el('dd', {}, el('code', {}, m.id)),
            el('dt', {}, 'Family'),
            el('dd', {}, familyLabel(m.family)),
            el('dt', {}, 'Quality'),
            el('dd', { class: 'card-score' }, scoreView(m, { long: true })),
          ),
          asked
            ? el(
                'p',
                { class: 'note' },
                'Asked for the lineage ',
                el('code', {}, asked),
                ': its latest version today. The permalink pins this version.',
              )
            : null,
          byAlias
            ? el(
                'p',
                { class: 'note' },
                'Asked for the alias ',
                el('code', {}, byAlias),
                ': the version it points at today. The permalink pins this version.',
              )
            : null,
          el(
            'p',
            { class: 'card-links' },
            el('a', { href: modelHref(m.id) }, 'Details'),
            others.length >= MIN_MODELS
              ? el(
                  'a',
                  { href: compareHref(others), 'aria-label': `Remove ${m.id} from the comparison` },
                  'Remove',
                )
              : null,
          ),
        );
      }),
    ),
  );
}
