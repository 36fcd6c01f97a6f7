import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DaemonEngine } from '../../engine-types.js';
import { registerConsoleApiRoutes } from './api-routes.js';
import { ConsoleBackups } from './console-backups.js';
import { ConsoleError } from './errors.js';
import { CONSOLE_HEADERS } from './security-headers.js';
import { isSafeMethod, requireSession } from './session-hook.js';
import { ConsoleSessions, csrfMatches } from './sessions.js';
import { loginLinkRoute } from './schemas.js';
import { registerConsoleStaticRoutes } from './static-routes.js';

export { CONSOLE_STATUS_OVERRIDES, ConsoleError, type ConsoleErrorCode } from './errors.js';
export { CONSOLE_CSP } from './security-headers.js';
export { ConsoleSessions, SESSION_COOKIE } from './sessions.js';

export interface ConsoleAccess {
  /**
   * For app.ts's token check on TCP: true when this request needs no bearer token — a console path (whose routes check
   * the session themselves) or a /v1 request with a valid session cookie (and, unless GET, its CSRF token: a wrong one
   * throws CONSOLE_CSRF). Never for /v1/console/* (login links need the token or the unix socket).
   */
  allowsWithoutBearer(request: FastifyRequest): boolean;
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '';
}

/** The browser console: login links, sessions, CSP headers, static front end and its API (README.md here). */
export function registerConsole(
  app: FastifyInstance,
  engine: DaemonEngine,
  /** The loopback TCP address the daemon listens on (`--listen`), for the login link's URL. */
  tcpAddress: () => { host: string; port: number } | undefined = () => undefined,
): ConsoleAccess {
  const sessions = new ConsoleSessions();
  const backups = new ConsoleBackups(engine);
  app.addHook('onClose', async () => backups.close());

  app.addHook('onSend', async (request, reply, payload) => {
    const path = pathOf(request);
    if (path === '/console' || path.startsWith('/console/')) {
      // A route may have set a stricter policy (files from a backup: sandboxed).
      for (const [name, value] of Object.entries(CONSOLE_HEADERS))
        if (!reply.hasHeader(name)) reply.header(name, value);
      if (path.startsWith('/console/api/'))
        reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    }
    return payload;
  });

  app.post('/v1/console/login-links', { schema: loginLinkRoute }, async (request, reply) => {
    const link = sessions.createLoginLink();
    const path = `/console/login?token=${link.token}`;
    const tcp = tcpAddress();
    request.log.info('console login link made');
    return reply.code(201).send({
      token: link.token,
      path,
      // Without --listen there is no TCP address a browser can reach: the CLI says so.
      ...(tcp ? { url: `http://${tcp.host.includes(':') ? `[${tcp.host}]` : tcp.host}:${tcp.port}${path}` } : {}),
      expiresAt: new Date(link.expiresAt).toISOString(),
    });
  });

  app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      requireSession(sessions, request);
    });
    registerConsoleApiRoutes(scope, backups);
  });
  // Static files and the login page need no session: they hold no data, and the page asks for a login when needed.
  registerConsoleStaticRoutes(app, sessions);

  return {
    allowsWithoutBearer(request) {
      const path = pathOf(request);
      if (path === '/console' || path.startsWith('/console/')) return true;
      if (!path.startsWith('/v1/') || path.startsWith('/v1/console/')) return false;
      const session = sessions.fromCookieHeader(request.headers.cookie);
      if (!session) return false;
      if (!isSafeMethod(request.method) && !csrfMatches(session, request.headers['x-csrf-token'])) {
        throw new ConsoleError('CONSOLE_CSRF', 'this request needs the X-CSRF-Token header of its session');
      }
      return true;
    },
  };
}
