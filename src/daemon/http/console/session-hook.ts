import type { FastifyRequest } from 'fastify';
import { ConsoleError } from './errors.js';
import { csrfMatches, type ConsoleSession, type ConsoleSessions } from './sessions.js';

const sessions = new WeakMap<FastifyRequest, ConsoleSession>();

/** Methods that change nothing: the only ones a session may use without its CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * The check every console API request passes: a known session cookie (401 CONSOLE_NO_SESSION), and on anything but
 * GET/HEAD the session's token in X-CSRF-Token (403 CONSOLE_CSRF). The cookie is SameSite=Strict already; the token
 * also stops a request forged from another page of the same site or an older browser.
 */
export function requireSession(store: ConsoleSessions, request: FastifyRequest): ConsoleSession {
  const session = store.fromCookieHeader(request.headers.cookie);
  if (!session) {
    throw new ConsoleError('CONSOLE_NO_SESSION', 'no console session: run `iosrescue console` for a login link');
  }
  if (!isSafeMethod(request.method) && !csrfMatches(session, request.headers['x-csrf-token'])) {
    throw new ConsoleError('CONSOLE_CSRF', 'this request needs the X-CSRF-Token header of its session');
  }
  sessions.set(request, session);
  return session;
}

/** The session requireSession found for this request (a route behind the hook always has one). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  const session = sessions.get(request);
  if (!session) throw new ConsoleError('CONSOLE_NO_SESSION', 'no console session');
  return session;
}
