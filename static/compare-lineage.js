// Compare page: provenance. Who shares which ancestor (all, some, one), one merged graph of
// every compared model's provenance, and each model's own graph.

import { el, letter, versionLabel } from './ui.js';
import { renderDag } from './dag.js';
import { section, modelIndex, letterChip } from './compare-sections.js';
import { sharedItem } from './compare-inputs.js';

function ancestorLabel(a) {
  return a.artifact ? versionLabel(a.artifact) : a.id;
}

function ancestorView(a) {
  return [
    el('code', {}, ancestorLabel(a)),
    a.artifact && a.artifact.title ? [' ', el('span', { class: 'muted' }, a.artifact.title)] : null,
  ];
}

/** The ancestors in three groups, as the server shares them out. */
function ancestorGroups(cmp, index) {
  const ancestors = cmp.provenance.ancestors || [];
  const all = ancestors.filter((a) => a.sharing === 'ALL');
  const some = ancestors.filter((a) => a.sharing === 'SOME');
  const one = ancestors.filter((a) => a.sharing === 'ONE');
  const group = (name, title, content, empty) =>
    el(
      'div',
      { class: 'input-group', 'data-group': name },
      el('h3', {}, title),
      content || el('p', { class: 'empty' }, empty),
    );
  const byModel = cmp.models.map((m) => ({
    model: m,
    items: one.filter((a) => a.modelIds.includes(m.id)),
  }));
  return el(
    'div',
    { class: 'input-groups', id: 'ancestor-groups' },
    group(
      'shared',
      `Shared by all ${cmp.models.length}`,
      all.length
        ? el(
            'ul',
            {},
            all.map((a) => el('li', { 'data-ancestor-id': a.id }, ancestorView(a))),
          )
        : null,
      'No ancestor is shared by every model.',
    ),
    group(
      'some',
      'Shared by some',
      some.length
        ? el(
            'ul',
            { class: 'shared-list' },
            some.map((a) => {
              const item = sharedItem(a.id, ancestorView(a), a.modelIds, index);
              item.removeAttribute('data-dataset-id');
              item.dataset.ancestorId = a.id;
              return item;
            }),
          )
        : null,
      cmp.models.length > 2
        ? 'No ancestor is shared by only some of the models.'
        : 'With two models, an ancestor is shared by both or by one.',
    ),
    group(
      'unique',
      'Unique to one model',
      one.length
        ? byModel
            .filter((b) => b.items.length)
            .map((b) =>
              el(
                'div',
                { 'data-model-id': b.model.id },
                el('p', { class: 'small' }, letterChip(index.get(b.model.id))),
                el(
                  'ul',
                  {},
                  b.items.map((a) => el('li', { 'data-ancestor-id': a.id }, ancestorView(a))),
                ),
              ),
            )
        : null,
      'Every ancestor is shared by two or more models.',
    ),
  );
}

function mergedGraph(cmp, index) {
  const merged = cmp.provenance.merged;
  if (!merged || !merged.nodes.length) return null;
  const byId = new Map(merged.nodes.map((n) => [n.id, n]));
  const letters = cmp.models.map((m, i) => letter(i)).join(', ');
  return renderDag(
    { nodes: merged.nodes, edges: merged.edges },
    {
      caption: [
        el('strong', {}, 'All compared models together'),
        el('span', { class: 'muted small' }, letters),
      ],
      modelTitle: `the ${cmp.models.length} compared models`,
      label: `the ${cmp.models.length} compared models (${letters})`,
      kinds: true,
      sharing: (id) => {
        const n = byId.get(id);
        return n && n.sharing ? n.sharing.toLowerCase() : null;
      },
      highlight: (id) => Boolean(byId.get(id) && byId.get(id).compared && index.has(id)),
    },
  );
}

export function renderProvenance(cmp) {
  const models = cmp.models;
  const index = modelIndex(models);
  if (!window.dagre || typeof window.dagre.layout !== 'function') {
    return section(
      'provenance',
      'Provenance',
      el(
        'p',
        { class: 'error-panel', role: 'alert' },
        'The graph layout library (/static/vendor/dagre-1.1.8.min.js) did not load, so the provenance graphs cannot be drawn. The rest of the comparison is complete; the JSON export has the graphs.',
      ),
      ancestorGroups(cmp, index),
    );
  }
  const merged = mergedGraph(cmp, index);
  if (merged) merged.classList.add('dag-merged');
  const figures = cmp.provenance.dags.map((dag) => {
    const entry = index.get(dag.modelId);
    const model = entry ? entry.model : null;
    return renderDag(dag, {
      caption: [
        entry ? el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(entry.i)) : null,
        el('strong', {}, model ? model.title : dag.modelId),
        el('code', { class: 'muted' }, dag.modelId),
      ],
      modelTitle: model ? model.title : dag.modelId,
    });
  });
  return section(
    'provenance',
    'Provenance',
    el(
      'p',
      { class: 'note' },
      'What each version was built from: inputs on the left, the models on the right; arrows point from an input to what uses it.',
    ),
    ancestorGroups(cmp, index),
    el('h3', { id: 'merged-title' }, 'One graph of all compared models'),
    el(
      'p',
      { class: 'note' },
      'The union of the graphs below. Ancestors shared by all models, by some, and by one are drawn differently (see the legend); the compared models are emphasised. Choose a node to see which models use it.',
    ),
    merged,
    el('h3', {}, 'Each model’s graph'),
    el('div', { class: 'dag-list' }, figures),
  );
}
