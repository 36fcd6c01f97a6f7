/**
 * Regenerates the committed OpenAPI document of the daemon's API (native-notes/daemon/openapi.json) from the route
 * schemas in src/daemon/http/. test/integration/daemon-api-openapi.test.ts fails when the committed file differs
 * from what a running daemon serves; this is how to bring it up to date:
 *
 *   npm run openapi
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatOpenApiDocument, OPENAPI_DOCUMENT_PATH, openApiDocument } from '../src/daemon/http/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const path = join(root, OPENAPI_DOCUMENT_PATH);
await writeFile(path, formatOpenApiDocument(await openApiDocument()));
process.stdout.write(`wrote ${OPENAPI_DOCUMENT_PATH}\n`);
