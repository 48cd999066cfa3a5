// Compare page: training data. Every trained-on dataset version of every model, in the
// server's groups (shared by all, shared by some, one lineage at different versions, unique),
// a table of all of them by model, and the pairwise Jaccard similarity of the models' inputs.

import { el, srOnly, letter, versionLabel, catalogHref } from './ui.js';
import { section, modelIndex, modelTag, letterChip } from './compare-sections.js';

export function datasetLink(d) {
  return el('a', { href: catalogHref({ dataset: d.id }) }, el('code', {}, versionLabel(d)));
}

export function datasetItem(d) {
  return el(
    'li',
    { 'data-dataset-id': d.id },
    datasetLink(d),
    ' ',
    el('span', { class: 'muted' }, d.title),
  );
}

/** "A, B and C" */
export function letterList(ids, index) {
  const names = ids.filter((id) => index.has(id)).map((id) => letter(index.get(id).i));
  if (names.length < 2) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** An item shared by some models: what it is, then which models share it (letter and title). */
export function sharedItem(id, label, modelIds, index) {
  return el(
    'li',
    { 'data-dataset-id': id, 'data-model-ids': modelIds.join(' ') },
    label,
    el(
      'span',
      { class: 'shared-by' },
      el('span', { class: 'shared-by-text' }, `shared by ${letterList(modelIds, index)}`),
      el('span', { class: 'chips' }, modelIds.map((m) => letterChip(index.get(m)))),
    ),
  );
}

function group(name, title, content, empty) {
  const has = Array.isArray(content) ? content.length : content;
  return el(
    'div',
    { class: 'input-group', 'data-group': name },
    el('h3', {}, title),
    has ? content : el('p', { class: 'empty' }, empty),
  );
}

function splitTable(splits, models) {
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { class: 'data split-table' },
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
              { scope: 'col', 'data-model-id': m.id, title: `${m.title} (${m.id})` },
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
  );
}

const SHARING_LABELS = { ALL: 'all', SOME: 'some', ONE: 'one' };

/** Every dataset version by model: a mark where the model was trained on it. */
function everyDatasetTable(data, models) {
  const split = new Set(data.sameLineageDifferentVersions.map((s) => s.lineageId));
  const rank = (d) => (split.has(d.dataset.lineageId) ? 2 : { ALL: 0, SOME: 1, ONE: 3 }[d.sharing]);
  const rows = [...data.datasets].sort((a, b) => rank(a) - rank(b));
  const label = (d) =>
    (d.sharing === 'ALL' ? `all ${models.length}` : `${d.modelIds.length} of ${models.length}`) +
    (split.has(d.dataset.lineageId) ? ', others use another version' : '');
  return el(
    'div',
    { class: 'table-scroll compare-scroll' },
    el(
      'table',
      { class: 'data compare-grid', id: 'datasets-table' },
      el('caption', {}, `All ${rows.length} dataset versions the models were trained on`),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Dataset version'),
          el('th', { scope: 'col' }, 'Used by'),
          models.map((m, i) =>
            el(
              'th',
              { scope: 'col', 'data-model-id': m.id, title: `${m.title} (${m.id})` },
              modelTag(m, i),
            ),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        rows.map((d) =>
          el(
            'tr',
            {
              'data-dataset-id': d.dataset.id,
              'data-sharing': SHARING_LABELS[d.sharing] || d.sharing,
            },
            el('th', { scope: 'row', title: d.dataset.title }, datasetLink(d.dataset)),
            el('td', { class: 'nowrap' }, label(d)),
            models.map((m) =>
              d.modelIds.includes(m.id)
                ? el(
                    'td',
                    { class: 'used', 'data-model-id': m.id },
                    el('span', { 'aria-hidden': 'true' }, '●'),
                    srOnly('trained on it'),
                  )
                : el('td', { 'data-model-id': m.id }, srOnly('not used')),
            ),
          ),
        ),
      ),
    ),
  );
}

function fmtJaccard(j) {
  return j.value === null || j.value === undefined ? '—' : j.value.toFixed(2);
}

/** One Jaccard matrix (over versions or over lineages): the pairs from the server, as a grid. */
function similarityTable(id, measure, caption, data, models) {
  const pairs = new Map();
  for (const s of data.similarity) {
    pairs.set(s.modelIds.join(' '), s[measure]);
    pairs.set([...s.modelIds].reverse().join(' '), s[measure]);
  }
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { class: 'data similarity', id },
      el('caption', {}, caption),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('td', {}),
          models.map((m, i) =>
            el('th', { scope: 'col', title: `${m.title} (${m.id})` }, letter(i)),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        models.map((a, i) =>
          el(
            'tr',
            { 'data-model-id': a.id },
            el('th', { scope: 'row', title: `${a.title} (${a.id})` }, modelTag(a, i)),
            models.map((b, k) => {
              if (a.id === b.id) return el('td', { class: 'self' }, srOnly('same model'));
              const j = pairs.get(`${a.id} ${b.id}`);
              if (!j) return el('td', {}, '');
              const share = j.value === null || j.value === undefined ? 0 : j.value;
              return el(
                'td',
                {
                  class: 'num',
                  'data-model-id': b.id,
                  'data-value': j.value === null ? '' : String(j.value),
                  style: `--j:${share}`,
                  title: `${letter(i)} and ${letter(k)}: ${j.shared} shared of ${j.union}`,
                },
                fmtJaccard(j),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

export function renderInputs(cmp) {
  const models = cmp.models;
  const index = modelIndex(models);
  const data = cmp.trainingData;
  const some = data.sharedBySome || [];
  const withUnique = data.uniqueToModel.filter((u) => u.datasets.length);
  const without = data.uniqueToModel.filter((u) => !u.datasets.length);
  const unique = [
    withUnique.map((u) =>
      el(
        'div',
        { 'data-model-id': u.modelId },
        el('p', { class: 'small unique-head' }, letterChip(index.get(u.modelId))),
        el('ul', {}, u.datasets.map(datasetItem)),
      ),
    ),
    without.length
      ? el(
          'p',
          { class: 'empty none-list' },
          'None for ',
          without.map((u, k) => [
            k ? ', ' : '',
            el(
              'span',
              { 'data-model-id': u.modelId, title: index.get(u.modelId)?.model.title },
              letter(index.get(u.modelId)?.i ?? 0),
            ),
          ]),
          '.',
        )
      : null,
  ];
  return section(
    'inputs',
    'Training data',
    el(
      'p',
      { class: 'note' },
      'The dataset versions each model was trained on (trained_on links). Each version is in exactly one group.',
    ),
    el(
      'div',
      { class: ['input-groups', models.length > 4 && 'many'] },
      group(
        'shared',
        `Shared by all ${models.length}, at the same version`,
        data.sharedSameVersion.length ? el('ul', {}, data.sharedSameVersion.map(datasetItem)) : 0,
        'No dataset version is shared by every model.',
      ),
      group(
        'some',
        'Shared by some, at the same version',
        some.length
          ? el(
              'ul',
              { class: 'shared-list' },
              some.map((s) =>
                sharedItem(
                  s.dataset.id,
                  [datasetLink(s.dataset), ' ', el('span', { class: 'muted' }, s.dataset.title)],
                  s.modelIds,
                  index,
                ),
              ),
            )
          : 0,
        models.length > 2
          ? 'No dataset version is shared by only some of the models.'
          : 'With two models, a version is shared by both or by one.',
      ),
      group(
        'split',
        'Same dataset, different versions',
        data.sameLineageDifferentVersions.length
          ? splitTable(data.sameLineageDifferentVersions, models)
          : 0,
        'No dataset is used at different versions.',
      ),
      group('unique', 'Unique to one model', unique, 'none'),
    ),
    el('h3', {}, 'Every dataset version, by model'),
    everyDatasetTable(data, models),
    el('h3', { id: 'similarity-title' }, 'How similar the training data are'),
    el(
      'p',
      { class: 'note' },
      'Jaccard similarity of each pair of models: the datasets both use divided by the datasets either uses; 1 means the same inputs, 0 none in common. Over versions, two versions of one dataset count as different; over lineages, as the same dataset.',
    ),
    el(
      'div',
      { class: 'similarity-pair' },
      similarityTable(
        'similarity-versions',
        'versions',
        'Over dataset versions',
        data,
        models,
      ),
      similarityTable(
        'similarity-lineages',
        'lineages',
        'Over dataset lineages',
        data,
        models,
      ),
    ),
  );
}
