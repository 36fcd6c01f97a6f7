import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../../errors.js';

/**
 * Errors the daemon's HTTP API raises itself (the engine's own errors pass through with their codes).
 * - API_VALIDATION: a body, query or path parameter its JSON schema refuses (400).
 * - API_BAD_JSON: a body that is not JSON, or JSON with a content type we do not take (400).
 * - API_BODY_TOO_LARGE: a body beyond the limit (400 category; sent as 413, the status HTTP has for it).
 * - API_UNAUTHORIZED: a TCP request without the bearer token from DIR/token (sent as 401: the category table has
 *   no status for "authenticate first", and the token is the HTTP client's own credential).
 * - API_ROUTE_NOT_FOUND: no such endpoint (404).
 * - API_LISTEN_REFUSED: `--listen` names an address that is not loopback, or is malformed.
 * - API_STATE_DIR_UNSAFE: the state folder or its token file can be read by others.
 */
export const HTTP_API_ERROR_CATEGORIES = {
  API_VALIDATION: 'usage',
  API_BAD_JSON: 'usage',
  API_BODY_TOO_LARGE: 'usage',
  API_UNAUTHORIZED: 'usage',
  API_ROUTE_NOT_FOUND: 'not-found',
  API_LISTEN_REFUSED: 'usage',
  API_STATE_DIR_UNSAFE: 'usage',
} as const satisfies CategoryTable<string>;

export type HttpApiErrorCode = keyof typeof HTTP_API_ERROR_CATEGORIES;

/** Statuses that differ from the category's, for the two codes HTTP has a more exact answer for. */
export const HTTP_API_STATUS_OVERRIDES: Partial<Record<HttpApiErrorCode, number>> = {
  API_UNAUTHORIZED: 401,
  API_BODY_TOO_LARGE: 413,
};

export class HttpApiError extends IosRescueError {
  declare readonly code: HttpApiErrorCode;

  constructor(code: HttpApiErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(HTTP_API_ERROR_CATEGORIES[code], options));
  }
}
