/*
 * Boots the vendored GraphiQL page served at GET /graphql.
 *
 * Globals provided by the UMD bundles loaded before this file:
 *   window.React                  react-18.3.1.production.min.js
 *   window.ReactDOM               react-dom-18.3.1.production.min.js
 *   window.GraphiQL               graphiql-3.9.0.min.js (component, plus
 *                                 GraphiQL.createFetcher, GraphiQL.React, GraphiQL.GraphQL)
 *   window.GraphiQLPluginExplorer graphiql-plugin-explorer-3.2.6.umd.js
 *                                 (explorerPlugin; needs GraphiQL.React and GraphiQL.GraphQL)
 */
(function () {
  'use strict';

  var DEFAULT_QUERY = [
    '# Welcome to the model registry. Try:',
    '{',
    '  models(limit: 5, sort: {field: QUALITY_SCORE, direction: DESC}) {',
    '    total',
    '    items {',
    '      id title family qualityScore',
    '      provenance { complete warnings { code message } }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  var container = document.getElementById('graphiql');
  var missing = ['React', 'ReactDOM', 'GraphiQL', 'GraphiQLPluginExplorer'].filter(function (name) {
    return !window[name];
  });
  if (missing.length) {
    container.textContent =
      'GraphiQL could not start: missing ' + missing.join(', ') + ' (check /static/vendor).';
    return;
  }

  // Same-origin endpoint; the page is served by the app at GET /graphql.
  var fetcher = window.GraphiQL.createFetcher({ url: '/graphql' });
  var explorer = window.GraphiQLPluginExplorer.explorerPlugin();

  var root = window.ReactDOM.createRoot(container);
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      plugins: [explorer],
      // Show the explorer panel when the page loads on a screen wide enough for it beside the
      // editor (the user can still open or close it); on a phone the editor gets the width.
      visiblePlugin: window.matchMedia('(min-width: 900px)').matches ? explorer : undefined,
      defaultEditorToolsVisibility: true,
    })
  );
})();
