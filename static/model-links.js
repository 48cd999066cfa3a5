// The model page's provenance: this version's own links, each saying whether it is pinned to a
// version or floats to the lineage's latest (the same links the provenance warnings name), the
// producing analysis's inputs, and the upstream graph drawn by dag.js.

import { el, versionLabel, modelHref, catalogHref, kindChip } from './ui.js';
import { renderDag } from './dag.js';

const GROUPS = [
  ['TRAINED_ON', 'Trained on', 'trained-on', 'No training dataset is linked.'],
  ['PRODUCED_BY', 'Produced by', 'produced-by-link', 'No producing analysis is linked.'],
  ['TESTS_HYPOTHESIS', 'Tests hypotheses', 'hypotheses', 'No hypothesis is linked.'],
  ['DERIVED_FROM', 'Derived from', 'derived-from', null],
];

function hrefFor(a) {
  if (a.kind === 'MODEL') return modelHref(a.id);
  if (a.kind === 'DATASET') return catalogHref({ dataset: a.id });
  if (a.kind === 'HYPOTHESIS') return catalogHref({ hypothesis: a.id });
  return null;
}

function artifactRef(a) {
  const href = hrefFor(a);
  const code = el('code', {}, versionLabel(a));
  return href ? el('a', { href }, code) : code;
}

/** "@2 pinned", or "floats: follows the latest version, now @3". */
export function pinState(link) {
  const a = link.artifact;
  if (link.pinned)
    return el(
      'span',
      { class: 'pin pinned', 'data-pin': 'pinned' },
      `@${link.pinnedVersion ?? a?.versionNumber} pinned`,
    );
  return el(
    'span',
    { class: 'flag pin floating', 'data-pin': 'floating' },
    el('span', { 'aria-hidden': 'true' }, '⚠ '),
    'floats: follows the latest version',
    a ? `, now @${a.versionNumber}` : '',
  );
}

function linkItem(link) {
  const a = link.artifact;
  if (!a)
    return el(
      'li',
      { class: 'missing', 'data-pin': link.pinned ? 'pinned' : 'floating' },
      'a link that no longer resolves',
    );
  return el(
    'li',
    { 'data-id': a.id, 'data-pin': link.pinned ? 'pinned' : 'floating' },
    kindChip(a.kind),
    ' ',
    artifactRef(a),
    ' ',
    pinState(link),
    el('span', { class: 'sub' }, a.title),
  );
}

function inputItem(input) {
  const a = input.artifact;
  if (!a) return el('li', { class: 'missing' }, 'an input that no longer resolves');
  return el(
    'li',
    { 'data-id': a.id, 'data-pin': input.pinned ? 'pinned' : 'floating' },
    kindChip(a.kind),
    ' uses ',
    artifactRef(a),
    ' ',
    pinState(input),
  );
}

/** One sentence that agrees with the UNPINNED_INPUTS warning: which own links float. */
function pinSummary(links, total) {
  const floating = links.filter((l) => !l.pinned);
  const more = total > links.length ? ` (the first ${links.length} of ${total} are shown)` : '';
  if (!floating.length)
    return el(
      'p',
      { class: 'note', id: 'pin-summary', 'data-floating': '0' },
      `All ${links.length} links of this version are pinned to exact versions${more}.`,
    );
  return el(
    'p',
    { class: 'note warn', id: 'pin-summary', 'data-floating': String(floating.length) },
    `${floating.length} of ${links.length} links of this version float to the latest version of `,
    floating.map((l, i) => [
      i ? ', ' : '',
      el('code', {}, l.artifact ? l.artifact.lineageId : '?'),
      l.artifact ? ` (now @${l.artifact.versionNumber})` : '',
    ]),
    `; pinning them would complete the provenance${more}.`,
  );
}

/**
 * The lists of this version's own links. `own` is {links, linksCount} from the API, or null
 * when it could not be loaded (then the resolved links are shown without their pin state).
 */
export function renderLinks(m, own, failure) {
  const links = own
    ? own.links
    : [
        ...m.trainedOn.map((a) => ({ type: 'TRAINED_ON', artifact: a })),
        ...(m.producedBy ? [{ type: 'PRODUCED_BY', artifact: m.producedBy }] : []),
        ...m.testsHypotheses.map((a) => ({ type: 'TESTS_HYPOTHESIS', artifact: a })),
        ...m.derivedFrom.map((a) => ({ type: 'DERIVED_FROM', artifact: a })),
      ];
  const item = own
    ? linkItem
    : (l) => {
        const a = l.artifact;
        return el('li', { 'data-id': a.id }, kindChip(a.kind), ' ', artifactRef(a));
      };
  const groups = GROUPS.map(([type, title, id, empty]) => {
    const of = links.filter((l) => l.type === type);
    if (!of.length && !empty) return null;
    return el(
      'div',
      { class: 'link-group', 'data-type': type },
      el('h3', {}, title),
      of.length
        ? el('ul', { class: 'links-list', id }, of.map(item))
        : el('p', { class: 'missing' }, empty),
    );
  });
  const analysis = m.producedBy;
  return el(
    'div',
    { id: 'own-links' },
    own
      ? pinSummary(own.links, own.linksCount)
      : el(
          'p',
          { class: 'error-panel small', role: 'alert' },
          `Which links are pinned could not be loaded (${failure}); ` +
            'the links are shown as they resolve now.',
        ),
    el('div', { class: 'link-groups' }, groups),
    analysis
      ? el(
          'div',
          { id: 'produced-by' },
          el('h3', {}, 'Inputs of the producing analysis ', el('code', {}, versionLabel(analysis))),
          el('p', { class: 'small muted' }, analysis.title),
          analysis.inputs.length
            ? el('ul', { class: 'links-list' }, analysis.inputs.map(inputItem))
            : el('p', { class: 'muted' }, 'The analysis lists no inputs.'),
        )
      : null,
  );
}

/** The upstream provenance graph from Query.lineage, drawn like compare's graphs. */
export function renderLineageGraph(m, lineage) {
  if (!lineage || !lineage.nodes.length) return el('p', { class: 'muted' }, 'No provenance graph.');
  if (!window.dagre || typeof window.dagre.layout !== 'function')
    return el(
      'p',
      { class: 'error-panel', role: 'alert' },
      'The graph layout library (/static/vendor/dagre-1.1.8.min.js) did not load, so the ' +
        'provenance graph cannot be drawn; the lists above hold the same links.',
    );
  const dag = {
    modelId: m.id,
    nodes: lineage.nodes.map((n) => ({ id: n.artifact.id, artifact: n.artifact })),
    edges: lineage.edges.map((e) => ({
      source: e.sourceId,
      target: e.targetId,
      type: e.type,
      pinned: e.pinned,
    })),
  };
  return el(
    'div',
    { id: 'lineage-graph' },
    renderDag(dag, {
      caption: [el('strong', {}, 'Upstream provenance'), ' '],
      modelTitle: m.title,
      kinds: true,
    }),
    lineage.truncated
      ? el(
          'p',
          { class: 'note', role: 'note' },
          'The graph is cut at its depth or size limit; ',
          el('a', { href: '/graphql' }, 'GraphiQL'),
          ' can follow it further with Query.lineage.',
        )
      : null,
  );
}
