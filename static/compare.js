// GET /models/compare?ids=a,b[,c...]: compareModels rendered for 2 to 10 model versions.

import { gql, ApiError } from './api.js';
import { el, letter, compareHref, showError } from './ui.js';
import { MIN_MODELS, renderCards, renderMetrics } from './compare-sections.js';
import { renderConfig, renderMetadata } from './compare-tables.js';
import { renderInputs, renderProvenance } from './compare-lineage.js';
import { toCsv, renderToolbar } from './compare-export.js';

export { toCsv };

const MAX_MODELS = 10;

const ARTIFACT = 'id kind lineageId versionNumber isLatest title';
const DATASET = 'id lineageId versionNumber isLatest title';

export const COMPARE_QUERY = `query Compare($ids: [ID!]!) {
  compareModels(ids: $ids) {
    models {
      id lineageId versionNumber isLatest title description family architecture
      parameterCount createdAt qualityScore rawQualityScore
      provenance { complete warnings { code message } }
    }
    metrics { name better bestModelIds cells { modelId value delta best } }
    metadata { key differs cells { modelId present value } }
    trainingConfig { key differs cells { modelId present value } }
    trainingData {
      sharedSameVersion { ${DATASET} }
      sameLineageDifferentVersions { lineageId uses { modelId dataset { ${DATASET} } } }
      uniqueToModel { modelId datasets { ${DATASET} } }
    }
    provenance {
      dags {
        modelId
        nodes { id sharedByAll artifact { ${ARTIFACT} } }
        edges { source target type pinned }
      }
      sharedAncestorIds
      uniqueAncestors { modelId ancestorIds }
    }
  }
}`;

const $ = (id) => document.getElementById(id);

/** Ids from ?ids=a,b and/or ?ids=a&ids=b: trimmed, empty ones dropped, duplicates removed. */
export function parseIds(search) {
  const params = new URLSearchParams(search);
  const ids = params
    .getAll('ids')
    .flatMap((v) => v.split(/[\s,]+/))
    .map((v) => v.trim())
    .filter(Boolean);
  return [...new Set(ids)];
}

function finish() {
  $('status').hidden = true;
  $('status').textContent = '';
}

function catalogLink() {
  return el('a', { class: 'button', href: '/models' }, 'Pick models in the catalog');
}

function exampleLink() {
  return el(
    'a',
    {
      class: 'button',
      href: compareHref(['model-biophys-microglia-v2', 'model-biophys-microglia-v3']),
    },
    'Example: two versions of the microglia ODE',
  );
}

function renderApiError(err, ids) {
  finish();
  const box = $('error');
  if (err instanceof ApiError && err.kind === 'graphql' && err.code === 'NOT_FOUND') {
    const missing = err.ids.length ? err.ids : [];
    const rest = ids.filter((id) => !missing.includes(id));
    showError(
      box,
      missing.length === 1 ? 'Unknown model id' : 'Unknown model ids',
      missing.length
        ? [
            'No model has the id ',
            missing.map((m, i) => [i ? ', ' : '', el('code', { class: 'missing-id' }, m)]),
            '. Check the spelling, or pick the models in the catalog. ',
            el('span', { class: 'muted' }, `(The server said: ${err.message})`),
          ]
        : err.message,
      rest.length >= MIN_MODELS
        ? el(
            'a',
            { class: 'button', href: compareHref(rest) },
            `Compare the ${rest.length} that exist`,
          )
        : null,
      catalogLink(),
    );
  } else if (err instanceof ApiError && err.kind === 'graphql' && err.code === 'BAD_USER_INPUT') {
    showError(box, 'These models cannot be compared', err.message, catalogLink());
  } else if (!(err instanceof ApiError)) {
    showError(
      box,
      'This page could not show the comparison',
      String(err && err.message ? err.message : err),
      catalogLink(),
    );
  } else if (err.kind === 'graphql') {
    showError(box, 'The comparison failed', err.message, catalogLink());
  } else {
    showError(
      box,
      'The server could not answer',
      [
        err.message,
        ' Nothing is shown rather than a partial comparison. Try again in a moment; if it keeps failing, the registry may be down (see ',
        el('a', { href: '/readyz' }, '/readyz'),
        ').',
      ],
      el('button', { type: 'button', onclick: () => location.reload() }, 'Try again'),
      catalogLink(),
    );
  }
  document.title = 'Comparison failed · Model registry';
}

// ----------------------------------------------------------------------------- page

function render(cmp, requested) {
  const models = cmp.models;
  document.title = `Compare ${models.map((m) => m.id).join(', ')} · Model registry`;
  $('page-title').textContent = `Compare ${models.length} models`;
  $('summary').replaceChildren(
    el(
      'span',
      {},
      models.map((m, i) => [
        i ? '  ·  ' : '',
        el('span', { class: 'letter', 'aria-hidden': 'true' }, letter(i)),
        ' ',
        el('code', {}, m.id),
      ]),
    ),
  );
  const content = $('content');
  content.replaceChildren(
    renderToolbar(cmp),
    el(
      'nav',
      { 'aria-label': 'Sections' },
      el(
        'ul',
        { class: 'jump' },
        [
          ['models', 'Models'],
          ['metrics', 'Metrics'],
          ['config', 'Training configuration'],
          ['metadata', 'Metadata'],
          ['inputs', 'Training data'],
          ['provenance', 'Provenance'],
        ].map(([id, text]) => el('li', {}, el('a', { href: `#${id}` }, text))),
      ),
    ),
    renderCards(cmp, requested),
    renderMetrics(cmp),
    renderConfig(cmp),
    renderMetadata(cmp),
    renderInputs(cmp),
    renderProvenance(cmp),
  );
  content.hidden = false;
  for (const figure of content.querySelectorAll('figure.dag')) figure.revealModel();
  finish();
  document.body.dataset.state = 'ready';
}

async function main() {
  const ids = parseIds(location.search);
  $('ids-input').value = ids.join(',');
  if (ids.length < MIN_MODELS) {
    finish();
    showError(
      $('error'),
      'Choose at least two models to compare',
      ids.length
        ? [
            'Only one model was given: ',
            el('code', {}, ids[0]),
            '. Add another id above, or pick models in the catalog.',
          ]
        : 'No model ids were given. Type two or more ids above (comma-separated), or pick models in the catalog.',
      catalogLink(),
      exampleLink(),
    );
    document.body.dataset.state = 'error';
    return;
  }
  if (ids.length > MAX_MODELS) {
    finish();
    showError(
      $('error'),
      'Too many models',
      `Compare at most ${MAX_MODELS} models at once; ${ids.length} were given.`,
      catalogLink(),
    );
    document.body.dataset.state = 'error';
    return;
  }
  try {
    const data = await gql(COMPARE_QUERY, { ids });
    render(data.compareModels, ids);
  } catch (err) {
    renderApiError(err, ids);
    document.body.dataset.state = 'error';
  }
}

main().catch((err) => {
  // A bug in this page must still leave a message, never a blank page.
  renderApiError(err, []);
  document.body.dataset.state = 'error';
});
