// The one way the pages talk to the registry: POST /graphql on this origin, JSON in and out.
// Every failure becomes an ApiError the page can show; nothing is logged to the console.

/** A failed call: `kind` is "http" (status >= 400), "network", "invalid" (not GraphQL JSON)
 *  or "graphql" (the server answered with errors; `code` is extensions.code of the first). */
export class ApiError extends Error {
  constructor(kind, message, { status = null, code = null, errors = [] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  /** The ids named by a NOT_FOUND error (extensions.ids), if any. */
  get ids() {
    const ext = (this.errors[0] && this.errors[0].extensions) || {};
    return Array.isArray(ext.ids) ? ext.ids : [];
  }
}

/** Run a query and return its `data`; throw ApiError on any failure. */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError('network', 'The registry could not be reached (' + err.message + ').');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const errors = body && Array.isArray(body.errors) ? body.errors : [];
  if (!response.ok) {
    const detail = errors.length ? ': ' + errors[0].message : '';
    throw new ApiError('http', `The server answered HTTP ${response.status}${detail}.`, {
      status: response.status,
      code: errors[0]?.extensions?.code ?? null,
      errors,
    });
  }
  if (errors.length) {
    throw new ApiError('graphql', errors.map((e) => e.message).join('; '), {
      status: response.status,
      code: errors[0]?.extensions?.code ?? null,
      errors,
    });
  }
  if (!body || typeof body.data !== 'object' || body.data === null) {
    throw new ApiError('invalid', 'The server sent an answer that is not GraphQL JSON.', {
      status: response.status,
    });
  }
  return body.data;
}
