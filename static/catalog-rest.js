// GET on the registry's REST API from the catalog: JSON in, coded errors out.

/** A refused or failed call: `code` is the REST error code (BAD_FILTER, ...) or NETWORK/HTTP;
 *  `parameter` and `position` are the error's, when it names them. */
export class RestError extends Error {
  constructor(code, message, { status = null, parameter = null, position = null } = {}) {
    super(message);
    this.name = 'RestError';
    this.code = code;
    this.status = status;
    this.parameter = parameter;
    this.position = Number.isInteger(position) ? position : null;
  }
}

/** GET `path?query` and return its JSON; throw RestError on any failure. */
export async function restGet(path, query = '') {
  let response;
  try {
    response = await fetch(path + (query ? '?' + query : ''), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new RestError('NETWORK', 'The registry could not be reached (' + err.message + ').');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body && body.error) || {};
    throw new RestError(error.code || 'HTTP', error.message || `HTTP ${response.status}`, {
      status: response.status,
      parameter: error.parameter ?? null,
      position: error.position ?? null,
    });
  }
  if (!body || typeof body !== 'object') {
    throw new RestError('INVALID', 'The server sent an answer that is not JSON.', {
      status: response.status,
    });
  }
  return body;
}

/** A REST list item in the shape the catalog's cells read. */
export function modelFromRest(m) {
  return {
    id: m.id,
    title: m.title,
    lineageId: m.lineage_id,
    versionNumber: m.version_number,
    isLatest: m.is_latest,
    family: String(m.model_family).toUpperCase(),
    parameterCount: m.parameter_count,
    createdAt: m.created_at,
    qualityScore: m.quality_score,
    rawQualityScore: m.raw_quality_score,
    archived: m.archived,
    archivedReason: m.archived_reason,
    tags: m.tags || [],
    aliases: m.aliases || [],
    provenance: { complete: !(m.warnings || []).length, warnings: m.warnings || [] },
    trainedOn: m.trained_on_all || [],
    metrics: m.evaluation_metrics || {},
  };
}
