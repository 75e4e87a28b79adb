// Reads the service's JSON API (same origin) with the signed-in token and turns failures into errors that say what
// went wrong. A 401 means the token is missing, revoked or expired: the page asks to sign in again.
import { currentToken } from './session.js';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const unauthorizedListeners = [];

/** Calls `listener(message)` when the service refuses the token (401). */
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

async function send(path, init = {}) {
  let response;
  const headers = { Accept: 'application/json', ...init.headers };
  const token = currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (error) {
    throw new ApiError(0, `the service did not answer (${error.message})`);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await describe(response));
    if (response.status === 401) unauthorizedListeners.forEach((listener) => listener(error.message));
    throw error;
  }
  if (response.status === 204) return null;
  const text = await response.text();
  if (init.raw) return text;
  return text.length === 0 ? null : JSON.parse(text);
}

// Problem details (RFC 9457) carry `detail`/`title`; validation problems carry `errors` by field.
async function describe(response) {
  const fallback = `${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    const fields = body.errors ? Object.entries(body.errors).map(([k, v]) => `${k}: ${[].concat(v).join(', ')}`) : [];
    return [body.detail ?? body.title ?? body.error ?? fallback, ...fields].join('; ');
  } catch {
    return fallback;
  }
}

export const getJson = (path) => send(path);

/** The body as text, asked for as `accept` (e.g. a CSV report). */
export const getText = (path, accept) => send(path, { raw: true, headers: { Accept: accept } });

export const postJson = (path, body) =>
  send(path, { method: 'POST', body: JSON.stringify(body), headers: { Accept: 'application/json', 'Content-Type': 'application/json' } });

export const deleteJson = (path) => send(path, { method: 'DELETE' });

/** Builds `/api/v1/...?a=b` leaving out empty parameters. */
export function apiPath(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return `/api/v1/${path}${text ? `?${text}` : ''}`;
}
