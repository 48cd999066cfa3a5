// Compare page sections: training data (dataset overlap) and provenance graphs.

import { el, letter, versionLabel, catalogHref } from './ui.js';
import { renderDag, dagLegend } from './dag.js';
import { section } from './compare-sections.js';

export function datasetItem(d) {
  return el(
    'li',
    { 'data-dataset-id': d.id },
    el('a', { href: catalogHref({ dataset: d.id }) }, el('code', {}, versionLabel(d))),
    ' ',
    el('span', { class: 'muted' }, d.title),
  );
}

export function renderInputs(cmp) {
  const models = cmp.models;
  const index = new Map(models.map((m, i) => [m.id, i]));
  const data = cmp.trainingData;

  const shared = el(
    'div',
    { class: 'input-group', 'data-group': 'shared' },
    el('h3', {}, 'Shared, at the same version'),
    data.sharedSameVersion.length
      ? el('ul', {}, data.sharedSameVersion.map(datasetItem))
      : el('p', { class: 'empty' }, 'No dataset version is shared by every model.'),
  );

  const splits = data.sameLineageDifferentVersions;
  const split = el(
    'div',
    { class: 'input-group', 'data-group': 'split' },
    el('h3', {}, 'Same dataset, different versions'),
    splits.length
      ? el(
          'div',
          { class: 'table-scroll' },
          el(
            'table',
            { class: 'data' },
            el('caption', {}, 'Which version of the dataset each model was trained on.'),
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el('th', { scope: 'col' }, 'Dataset'),
                models.map((m, i) =>
                  el(
                    'th',
                    { scope: 'col', 'data-model-id': m.id, title: m.id },
                    el('span', { class: 'letter' }, letter(i)),
                  ),
                ),
              ),
            ),
            el(
              'tbody',
              {},
              splits.map((s) =>
                el(
                  'tr',
                  { 'data-lineage-id': s.lineageId },
                  el('th', { scope: 'row' }, el('code', {}, s.lineageId)),
                  models.map((m) => {
                    const uses = s.uses.filter((u) => u.modelId === m.id);
                    return el(
                      'td',
                      { 'data-model-id': m.id },
                      uses.length
                        ? uses.map((u) =>
                            el(
                              'span',
                              { 'data-dataset-id': u.dataset.id, title: u.dataset.title },
                              el('code', {}, `@${u.dataset.versionNumber}`),
                              ' ',
                            ),
                          )
                        : el('span', { class: 'missing' }, 'not used'),
                    );
                  }),
                ),
              ),
            ),
          ),
        )
      : el('p', { class: 'empty' }, 'No dataset is used at different versions.'),
  );

  const unique = el(
    'div',
    { class: 'input-group', 'data-group': 'unique' },
    el('h3', {}, 'Unique to one model'),
    data.uniqueToModel.map((u) =>
      el(
        'div',
        { 'data-model-id': u.modelId },
        el(
          'p',
          { class: 'small' },
          el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(index.get(u.modelId))),
          ' ',
          el('code', {}, u.modelId),
        ),
        u.datasets.length
          ? el('ul', {}, u.datasets.map(datasetItem))
          : el('p', { class: 'empty' }, 'none'),
      ),
    ),
  );

  return section(
    'inputs',
    'Training data',
    el(
      'p',
      { class: 'note' },
      'The dataset versions each model was trained on (trained_on links), grouped by overlap.',
    ),
    el('div', { class: 'input-groups' }, shared, split, unique),
  );
}

export function renderProvenance(cmp) {
  const models = cmp.models;
  if (!window.dagre || typeof window.dagre.layout !== 'function') {
    return section(
      'provenance',
      'Provenance',
      el(
        'p',
        { class: 'error-panel', role: 'alert' },
        'The graph layout library (/static/vendor/dagre-1.1.8.min.js) did not load, so the provenance graphs cannot be drawn. The rest of the comparison is complete; the JSON export has the graphs.',
      ),
    );
  }
  const labels = new Map();
  for (const dag of cmp.provenance.dags)
    for (const n of dag.nodes) labels.set(n.id, versionLabel(n.artifact));
  const sharedIds = cmp.provenance.sharedAncestorIds;
  const figures = cmp.provenance.dags.map((dag) => {
    const i = models.findIndex((m) => m.id === dag.modelId);
    const model = models[i];
    return renderDag(dag, {
      caption: [
        el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
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
      'What each version was built from: inputs on the left, the model on the right; arrows point from an input to what uses it. Ancestors shared by all compared models are outlined. Graphs are drawn at full size; scroll or zoom for large ones.',
    ),
    dagLegend(),
    el(
      'p',
      { class: 'small', id: 'shared-ancestors' },
      el('strong', {}, `Shared by all ${models.length} models: `),
      sharedIds.length
        ? sharedIds.map((id, k) => [k ? ', ' : '', el('code', {}, labels.get(id) || id)])
        : el('span', { class: 'muted' }, 'no common ancestor'),
    ),
    figures,
  );
}
