import { chmod, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isMainThread } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../logging.js';
import type { DaemonEngine } from '../engine-types.js';
import { buildApiApp } from './app.js';
import { HttpApiError } from './errors.js';
import { parseListenAddress } from './listen-address.js';
import { DaemonMetrics } from './metrics.js';
import { loadOrCreateToken } from './token.js';

export interface ApiServerOptions {
  engine: DaemonEngine;
  /** `<stateDir>/daemon.sock` (DaemonHandle.socketPath). */
  socketPath: string;
  logger: Logger;
  /** `127.0.0.1:PORT` (port 0 picks a free one): also listen on loopback TCP, with the token from DIR/token. */
  listen?: string;
  keepAliveMs?: number;
}

export interface ApiServer {
  app: FastifyInstance;
  metrics: DaemonMetrics;
  socketPath: string;
  /** The bound TCP address when `listen` was given. */
  tcp?: { host: string; port: number };
  /** The bearer token TCP clients send. */
  token?: string;
  close(): Promise<void>;
}

/** Both servers drop a connection whose request headers have not all arrived within this. */
const HEADERS_TIMEOUT_MS = 5_000;
/** …and whose whole request (a small JSON body) has not arrived within this. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How often Node looks for connections past those limits (its default, 30 s, lets slow clients linger). */
const CHECK_INTERVAL_MS = 1_000;
const SERVER_OPTIONS = {
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: CHECK_INTERVAL_MS,
  // Header blocks beyond this are refused with 431 (Node's default is the same 16 KiB; said here on purpose).
  maxHeaderSize: 16 * 1024,
};

/**
 * Serves the API on the unix socket (always) and on loopback TCP (when asked). One Fastify app answers both, so
 * routes, validation, metrics and the OpenAPI document are the same; the token check tells them apart by the
 * connection (app.ts). The socket is created under umask 0177 so it is 0600 from its first moment, then chmod'ed
 * again (umask is per process and cannot be set from a worker thread; the state folder is 0700 either way).
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const stateDir = options.engine.stateDir;
  const tcpAddress = options.listen === undefined ? undefined : parseListenAddress(options.listen);
  const dirMode = (await stat(stateDir)).mode & 0o777;
  // Windows has no such mode bits (the folder's ACL under %LOCALAPPDATA% is the user's).
  if (process.platform !== 'win32' && dirMode & 0o077) {
    throw new HttpApiError(
      'API_STATE_DIR_UNSAFE',
      `the state folder ${stateDir} is readable by others (mode ${dirMode.toString(8)}): it holds the API socket and token`,
    );
  }
  const token = tcpAddress ? await loadOrCreateToken(stateDir) : undefined;
  let routeRequest: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  // Connections the unix-socket server accepted: the only ones that need no token.
  const unixConnections = new WeakSet<Socket>();
  const metrics = new DaemonMetrics(options.engine);
  let tcp: ApiServer['tcp'];
  const app = await buildApiApp({
    engine: options.engine,
    metrics,
    logger: options.logger,
    token,
    keepAliveMs: options.keepAliveMs,
    exempt: (socket) => unixConnections.has(socket),
    tcpAddress: () => tcp,
    serverFactory: (handler) => {
      routeRequest = handler;
      const server = createServer(SERVER_OPTIONS, handler);
      server.on('connection', (socket: Socket) => unixConnections.add(socket));
      return server;
    },
  });
  options.engine.setMetricsSink(metrics);

  await rm(options.socketPath, { force: true });
  const oldMask = isMainThread ? process.umask(0o177) : undefined;
  try {
    await app.listen({ path: options.socketPath });
  } finally {
    if (oldMask !== undefined) process.umask(oldMask);
  }
  await chmod(options.socketPath, 0o600);

  let tcpServer: Server | undefined;
  if (tcpAddress) {
    // The same handler Fastify routes the unix socket with; Fastify's close() does not know this server.
    tcpServer = createServer(SERVER_OPTIONS, routeRequest);
    tcpServer.keepAliveTimeout = 5_000;
    await new Promise<void>((done, fail) => {
      tcpServer!.once('error', fail);
      tcpServer!.listen(tcpAddress.port, tcpAddress.host, () => done());
    });
    const bound = tcpServer.address();
    tcp = { host: tcpAddress.host, port: typeof bound === 'object' && bound ? bound.port : tcpAddress.port };
    options.logger.info({ host: tcp.host, port: tcp.port }, 'API listening on loopback TCP (bearer token required)');
  }
  options.logger.info({ socketPath: options.socketPath }, 'API listening on the unix socket');

  let closing: Promise<void> | undefined;
  return {
    app,
    metrics,
    socketPath: options.socketPath,
    tcp,
    token,
    close() {
      closing ??= (async () => {
        options.engine.setMetricsSink(undefined);
        if (tcpServer) {
          const server = tcpServer;
          await new Promise<void>((done) => {
            server.close(() => done());
            // SSE streams never end on their own.
            server.closeAllConnections();
          });
        }
        await app.close();
        await rm(options.socketPath, { force: true });
        metrics.registry.clear();
      })();
      return closing;
    },
  };
}
