import { silentLogger } from '../../logging.js';
import type { DaemonEngine } from '../engine-types.js';
import { buildApiApp } from './app.js';
import { DaemonMetrics } from './metrics.js';

export { API_VERSION } from './openapi-version.js';

/** Where the document is committed, from the repository root (shipped with the package: native-notes/ is in "files"). */
export const OPENAPI_DOCUMENT_PATH = 'native-notes/daemon/openapi.json';

/** An engine no route of a document-only app ever calls: building the routes reads none of it. */
const NO_ENGINE = new Proxy({} as DaemonEngine, {
  get(_target, key) {
    throw new Error(`openApiDocument() builds routes only; nothing may use the engine (${String(key)})`);
  },
});

/** The OpenAPI document the server serves at /openapi.json, built from the route schemas without serving anything. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApiApp({ engine: NO_ENGINE, metrics: new DaemonMetrics(NO_ENGINE), logger: silentLogger });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The document as committed: two-space JSON and a final newline. */
export function formatOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
