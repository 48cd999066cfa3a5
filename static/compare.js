// GET /models/compare?ids=a,b[,c...]: compareModels rendered for 2 to 10 model versions, in
// the view the URL asks for (baseline, diff-only tables, sections; see compare-state.js).

import { gql, ApiError } from './api.js';
import { el, letter, compareHref, showError } from './ui.js';
import { MIN_MODELS, renderCards, modelTag } from './compare-sections.js';
import { renderMetrics } from './compare-metrics.js';
import { renderCharts } from './compare-charts.js';
import { renderConfig, renderMetadata } from './compare-tables.js';
import { renderInputs } from './compare-inputs.js';
import { renderProvenance } from './compare-lineage.js';
import { toCsv, renderToolbar } from './compare-export.js';
import { SECTIONS, parseIds, parseState, stateHref, refNames } from './compare-state.js';

export { toCsv, parseIds };

const MAX_MODELS = 10;

const ARTIFACT = 'id kind lineageId versionNumber isLatest title';
const DATASET = 'id lineageId versionNumber isLatest title';
const SHARE = `dataset { ${DATASET} } modelIds sharing`;
const JACCARD = 'shared union value';

export const COMPARE_QUERY = `query Compare($ids: [ID!]!, $baseline: ID) {
  compareModels(ids: $ids, baseline: $baseline) {
    baselineModelId
    duplicates { id modelId }
    models {
      id lineageId versionNumber isLatest title description family architecture
      parameterCount createdAt qualityScore rawQualityScore aliases
      provenance { complete warnings { code message } }
    }
    metrics {
      name better verdict bestModelIds leaderModelIds overlappingModelIds reportedCount
      cells {
        modelId value stderr lower upper delta relativeDelta best withinUncertainty capped baseline
      }
    }
    metadata { key differs cells { modelId present value differsFromBaseline } }
    trainingConfig { key differs cells { modelId present value differsFromBaseline } }
    trainingData {
      sharedSameVersion { ${DATASET} }
      sharedBySome { ${SHARE} }
      sameLineageDifferentVersions { lineageId uses { modelId dataset { ${DATASET} } } }
      uniqueToModel { modelId datasets { ${DATASET} } }
      datasets { ${SHARE} }
      similarity { modelIds versions { ${JACCARD} } lineages { ${JACCARD} } }
    }
    provenance {
      dags {
        modelId
        nodes { id sharedByAll sharing modelIds artifact { ${ARTIFACT} } }
        edges { source target type pinned }
      }
      sharedAncestorIds
      uniqueAncestors { modelId ancestorIds }
      ancestors { id modelIds sharing artifact { ${ARTIFACT} } }
      merged {
        nodes { id compared modelIds sharing artifact { ${ARTIFACT} } }
        edges { source target type pinned modelIds }
      }
    }
  }
}`;

const $ = (id) => document.getElementById(id);

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

const REFUSED = {
  BAD_USER_INPUT: 'These models cannot be compared',
  INVALID_INPUT: 'These models cannot be compared',
  WRONG_KIND: 'Only models can be compared',
};

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
  } else if (err instanceof ApiError && err.kind === 'graphql' && REFUSED[err.code]) {
    showError(box, REFUSED[err.code], err.message, catalogLink());
    box.dataset.code = err.code;
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

/** The page's view: what was asked for, what the server answered, and the view state. */
const view = { requested: [], cmp: null, state: null };

function baselineIndex() {
  const i = view.cmp.models.findIndex((m) => m.id === view.cmp.baselineModelId);
  return i < 0 ? 0 : i;
}

/**
 * The ids as asked, once per compared model: a repeated model (the server lists each id that
 * named a model already compared) keeps its first name. Pinned ids when a name is not known.
 */
function askedIds() {
  const models = view.cmp.models;
  const repeated = new Map((view.cmp.duplicates || []).map((d) => [d.id, d.modelId]));
  const seen = new Set();
  const kept = [];
  for (const ref of view.requested) {
    const direct = models.find((m) => refNames(ref, m));
    const target = repeated.get(ref) || (direct && direct.id);
    if (target && seen.has(target)) continue;
    if (target) seen.add(target);
    kept.push(ref);
  }
  return kept.length === models.length ? kept : models.map((m) => m.id);
}

/** The URL of this view: with the ids as asked (browser bar) or as pinned (permalink). */
function hrefFor(pinned) {
  const ids = pinned ? view.cmp.models.map((m) => m.id) : askedIds();
  const i = baselineIndex();
  return stateHref(ids, { ...view.state, baseline: ids[i] });
}

function stateChanged() {
  history.replaceState(null, '', hrefFor(false));
  const bar = $('export-toolbar');
  if (bar) bar.refresh();
}

function applySections() {
  for (const [id] of SECTIONS) {
    const shown = view.state.sections.has(id);
    const target = $(id);
    if (target) target.hidden = !shown;
    const jump = document.querySelector(`.jump a[href="#${id}"]`);
    if (jump) jump.parentElement.hidden = !shown;
  }
}

function renderControls() {
  const models = view.cmp.models;
  const select = el(
    'select',
    { id: 'baseline-select', 'aria-describedby': 'baseline-help' },
    models.map((m, i) =>
      el(
        'option',
        { value: m.id, selected: m.id === view.cmp.baselineModelId },
        `${modelTag(m, i)} ${m.title}`,
      ),
    ),
  );
  select.addEventListener('change', () => changeBaseline(select.value));
  const boxes = SECTIONS.map(([id, text]) => {
    const box = el('input', {
      type: 'checkbox',
      id: `show-${id}`,
      checked: view.state.sections.has(id),
    });
    box.addEventListener('change', () => {
      if (box.checked) view.state.sections.add(id);
      else view.state.sections.delete(id);
      applySections();
      stateChanged();
    });
    return el('label', { class: 'toggle', for: `show-${id}` }, box, text);
  });
  return el(
    'div',
    { class: 'compare-controls', id: 'view-controls' },
    el(
      'div',
      { class: 'baseline-picker' },
      el('label', { for: 'baseline-select' }, 'Baseline'),
      select,
      el(
        'span',
        { id: 'baseline-help', class: 'muted small' },
        'Deltas and “differs from the baseline” are taken against this model.',
      ),
    ),
    el(
      'fieldset',
      { class: 'plain section-picker' },
      el('legend', {}, 'Sections shown'),
      el('div', { class: 'toolbar' }, boxes),
    ),
  );
}

function render() {
  const cmp = view.cmp;
  const models = cmp.models;
  const tag = letter(baselineIndex());
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
    el('span', { class: 'muted' }, `  (baseline ${tag})`),
  );
  const repeated = cmp.duplicates || [];
  $('duplicates').hidden = !repeated.length;
  $('duplicates').replaceChildren(
    repeated.length
      ? el(
          'span',
          {},
          'Given more than once: ',
          repeated.map((d, k) => [
            k ? '; ' : '',
            el('code', {}, d.id),
            d.id === d.modelId ? '' : [' names ', el('code', {}, d.modelId)],
          ]),
          '. Each model is compared once.',
        )
      : '',
  );
  const content = $('content');
  content.replaceChildren(
    renderToolbar(cmp, () => hrefFor(true)),
    renderControls(),
    el(
      'nav',
      { 'aria-label': 'Sections' },
      el(
        'ul',
        { class: 'jump' },
        SECTIONS.map(([id, text]) => el('li', {}, el('a', { href: `#${id}` }, text))),
      ),
    ),
    renderCards(cmp, view.requested),
    renderMetrics(cmp),
    renderCharts(cmp),
    renderConfig(cmp, view.state, stateChanged),
    renderMetadata(cmp, view.state, stateChanged),
    renderInputs(cmp),
    renderProvenance(cmp),
  );
  applySections();
  content.hidden = false;
  for (const figure of content.querySelectorAll('figure.dag')) figure.revealModel();
  finish();
  document.body.dataset.baseline = cmp.baselineModelId;
  document.body.dataset.state = 'ready';
}

let asked = 0;

async function changeBaseline(modelId) {
  // Only the latest choice is drawn: an answer to an earlier one that arrives late is dropped.
  const mine = ++asked;
  const pinned = view.cmp.models.map((m) => m.id);
  const focused = document.activeElement && document.activeElement.id;
  const scroll = window.scrollY;
  document.body.dataset.state = 'updating';
  try {
    const data = await gql(COMPARE_QUERY, { ids: pinned, baseline: modelId });
    if (mine !== asked) return;
    view.cmp = data.compareModels;
    render();
    stateChanged();
    window.scrollTo(0, scroll);
    if (focused && $(focused)) $(focused).focus();
  } catch (err) {
    if (mine !== asked) return;
    $('content').hidden = true;
    renderApiError(err, pinned);
    document.body.dataset.state = 'error';
  }
}

async function main() {
  const ids = parseIds(location.search);
  view.requested = ids;
  view.state = parseState(location.search);
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
    const data = await gql(COMPARE_QUERY, { ids, baseline: view.state.baseline });
    view.cmp = data.compareModels;
    render();
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
