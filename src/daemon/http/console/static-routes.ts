import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { mimeOf } from './api-routes.js';
import { ConsoleError } from './errors.js';
import { sessionCookie, type ConsoleSessions } from './sessions.js';

const TEXT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  map: 'application/json',
  woff2: 'font/woff2',
  ico: 'image/x-icon',
};

/** `dist/console/` of the package, found from this module whether it runs from dist/ or (in tests) from src/. */
export function consoleAssetsFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'dist', 'console');
    folder = dirname(folder);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'console');
}

/** The login link's target and the built front end (static files; a path without an extension gets index.html). */
export function registerConsoleStaticRoutes(
  app: FastifyInstance,
  sessions: ConsoleSessions,
  assets = consoleAssetsFolder(),
): void {
  app.get<{ Querystring: { token?: string } }>(
    '/console/login',
    { schema: { hide: true } as object },
    async (request, reply) => {
      const token = request.query.token;
      const session = typeof token === 'string' ? sessions.redeem(token) : undefined;
      if (!session) {
        throw new ConsoleError(
          'CONSOLE_LOGIN_LINK_INVALID',
          'this login link was used already, has expired or is not one: run `iosrescue console` for a new one',
        );
      }
      request.log.info('console login');
      return reply.header('set-cookie', sessionCookie(session)).redirect('/console/', 303);
    },
  );

  const serve = async (path: string) => {
    const clean = normalize(path === '' ? 'index.html' : path);
    if (clean.startsWith('..') || clean.includes(`${sep}..`) || clean.startsWith(sep)) return undefined;
    const file = /\.[a-z0-9]+$/i.test(clean) ? clean : 'index.html';
    try {
      return { data: await readFile(join(assets, file)), file };
    } catch {
      return undefined;
    }
  };

  app.get('/console', { schema: { hide: true } as object }, async (_request, reply) =>
    reply.redirect('/console/', 302),
  );
  app.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true } as object }, async (request, reply) => {
    // An unknown API path is an API error, not the front end's page.
    const found = request.params['*'].startsWith('api/') ? undefined : await serve(request.params['*']);
    if (!found) {
      throw new ConsoleError(
        'CONSOLE_UNKNOWN_ITEM',
        existsSync(assets) ? `no console file ${request.params['*']}` : 'the console is not built: run npm run build',
      );
    }
    const extension = found.file.slice(found.file.lastIndexOf('.') + 1).toLowerCase();
    return reply
      .header('content-type', TEXT_TYPES[extension] ?? mimeOf(found.file))
      .header('cache-control', extension === 'html' ? 'no-store' : 'private, max-age=300')
      .send(found.data);
  });
}
