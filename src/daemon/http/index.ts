export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export { buildApiApp, type ApiAppOptions } from './app.js';
export { DaemonMetrics } from './metrics.js';
export { HttpApiError, type HttpApiErrorCode } from './errors.js';
export { parseListenAddress } from './listen-address.js';
export { TOKEN_FILE } from './token.js';
export { openApiDocument, formatOpenApiDocument, OPENAPI_DOCUMENT_PATH, API_VERSION } from './openapi.js';
export { serveDaemon, type ServeDaemonOptions, type ServedDaemon } from './serve-daemon.js';
