/**
 * The version of the API the OpenAPI document describes (its info.version), not the package's: it changes when the
 * API does, so the committed document does not change with every release. `GET /v1/health` reports the package's.
 */
export const API_VERSION = '1.0.0';
