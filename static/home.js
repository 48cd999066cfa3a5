// GET /: the catalog's size, next to static links that work even when the API does not.

import { gql } from './api.js';
import { el } from './ui.js';

const QUERY = `{
  all: models(limit: 1) { total }
  latest: models(limit: 1, filter: { latestOnly: true }) { total }
  datasets(limit: 1) { total }
  analyses(limit: 1) { total }
  hypotheses(limit: 1) { total }
}`;

async function main() {
  const stats = document.getElementById('stats');
  try {
    const d = await gql(QUERY);
    const item = (n, label, href) =>
      el('li', {}, el('strong', {}, String(n)), href ? el('a', { href }, label) : label);
    stats.replaceChildren(
      item(d.all.total, 'model versions', '/models'),
      item(d.latest.total, 'models (latest versions)', '/models?latestOnly=true'),
      item(d.datasets.total, 'dataset versions'),
      item(d.analyses.total, 'analysis versions'),
      item(d.hypotheses.total, 'hypothesis versions'),
    );
    document.body.dataset.state = 'ready';
  } catch (err) {
    document.getElementById('status').textContent =
      'The catalog size could not be loaded (' + err.message + '). The links below still work.';
    document.body.dataset.state = 'error';
  }
}

main();
