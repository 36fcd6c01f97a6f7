import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { Logger } from '../../logging.js';
import type { DaemonEngine } from '../engine-types.js';
import { HttpApiError } from './errors.js';
import { API_VERSION } from './openapi-version.js';
import type { DaemonMetrics } from './metrics.js';
import { replyWithError } from './reply-error.js';
import { registerDeviceRoutes } from './routes/devices.js';
import { registerEventRoutes } from './routes/events.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerServiceRoutes } from './routes/service.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { bearerMatches } from './token.js';
import { registerConsole } from './console/index.js';

export interface ApiAppOptions {
  engine: DaemonEngine;
  metrics: DaemonMetrics;
  logger: Logger;
  /** With a token, every request must carry `Authorization: Bearer <token>` unless `exempt` says its connection
   * needs none (the unix socket's, whose 0600 mode is the check). */
  token?: string;
  exempt?(socket: Socket): boolean;
  serverFactory?: FastifyServerFactory;
  /** SSE keep-alive comment interval (default 15 s). */
  keepAliveMs?: number;
  /** The loopback TCP address once listening (the console's login links name it). */
  tcpAddress?: () => { host: string; port: number } | undefined;
}

/** Request bodies are small JSON (a job request); anything larger is refused before it is read into memory. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Where a password may appear in what Fastify or a route logs: replaced by "[redacted]". */
export const REDACTED_PATHS = [
  'password',
  'oldPassword',
  'newPassword',
  '*.password',
  '*.oldPassword',
  '*.newPassword',
  '*.*.password',
  '*.*.oldPassword',
  '*.*.newPassword',
  'req.headers.authorization',
];

/**
 * The API as a Fastify instance: JSON-schema validation on every route, the OpenAPI document generated from the
 * same schemas, one error shape (`{code, message}`, status from CATEGORY_STATUS), and the token check for requests
 * that came over TCP. The caller decides where it listens (server.ts).
 */
export async function buildApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child(
      { component: 'http' },
      { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    ),
    bodyLimit: BODY_LIMIT_BYTES,
    serverFactory: options.serverFactory,
    // A request must arrive whole within 10 s: slow partial requests cannot hold connections open for long.
    // SSE streams stay open: closing the app ends them instead of waiting for clients to leave.
    forceCloseConnections: true,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    ajv: {
      customOptions: {
        // Keep what the schema does not allow, so additionalProperties: false refuses it instead of dropping it.
        removeAdditional: false,
        discriminator: true,
        coerceTypes: 'array',
        allErrors: false,
      },
    },
  }) as unknown as FastifyInstance;

  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'iosrescue daemon API',
        version: API_VERSION,
        description:
          'The local API of `iosrescue daemon`: phones and their state, backup / extraction / encryption jobs, ' +
          'a resumable event stream, Prometheus metrics. Over the unix socket <state-dir>/daemon.sock (mode 0600) ' +
          'no token is needed; over TCP (`--listen 127.0.0.1:PORT`, loopback only) every request needs ' +
          '`Authorization: Bearer <contents of <state-dir>/token>`. Errors are `{code, message}`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The browser console's session (console/README.md): non-GET requests also send X-CSRF-Token.
          consoleSession: { type: 'apiKey', in: 'cookie', name: 'iosrescue_session' },
        },
      },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    replyWithError(
      new HttpApiError('API_ROUTE_NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  const { token, exempt } = options;
  const consoleAccess = registerConsole(app, options.engine, options.tcpAddress);
  if (token !== undefined) {
    app.addHook('onRequest', async (request) => {
      // Fail closed: only a connection the unix server accepted is exempt (not, say, one without a remote address,
      // which is also what a TCP socket reports once its peer has gone).
      if (exempt?.(request.raw.socket)) return;
      if (bearerMatches(request.headers.authorization, token)) return;
      // The browser console: its own pages check their session; /v1 takes the session cookie (+ CSRF) instead.
      if (!consoleAccess.allowsWithoutBearer(request)) {
        throw new HttpApiError('API_UNAUTHORIZED', 'this request came over TCP: send Authorization: Bearer <token>');
      }
    });
  }

  registerServiceRoutes(app, options.engine, options.metrics);
  registerDeviceRoutes(app, options.engine);
  registerJobRoutes(app, options.engine);
  registerEventRoutes(app, options.engine, options.keepAliveMs ?? 15_000);
  return app;
}
