import { describe, expect, it } from 'vitest';
import {
  ConsoleSessions,
  cookieValue,
  csrfMatches,
  LOGIN_LINK_TTL_MS,
  SESSION_IDLE_MS,
  sessionCookie,
} from '../../../../../src/daemon/http/console/sessions.js';

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('console login links and sessions', () => {
  it('a login link gives one session, once', () => {
    const sessions = new ConsoleSessions();
    const link = sessions.createLoginLink();
    expect(link.token).toMatch(/^[0-9a-f]{64}$/);
    const session = sessions.redeem(link.token);
    expect(session?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(session?.csrfToken).not.toBe(session?.id);
    expect(sessions.redeem(link.token)).toBeUndefined();
    expect(sessions.redeem('0'.repeat(64))).toBeUndefined();
  });

  it('a link expires after two minutes; a session after twelve idle hours', () => {
    const time = clock();
    const sessions = new ConsoleSessions(time.now);
    const late = sessions.createLoginLink();
    time.advance(LOGIN_LINK_TTL_MS + 1);
    expect(sessions.redeem(late.token)).toBeUndefined();

    const fresh = sessions.createLoginLink();
    time.advance(LOGIN_LINK_TTL_MS - 1);
    const session = sessions.redeem(fresh.token)!;
    const cookie = `other=1; ${sessionCookie(session).split(';')[0]}`;
    time.advance(SESSION_IDLE_MS - 1);
    expect(sessions.fromCookieHeader(cookie)).toBe(session);
    time.advance(SESSION_IDLE_MS + 1);
    expect(sessions.fromCookieHeader(cookie)).toBeUndefined();
  });

  it('reads cookies and compares CSRF tokens exactly', () => {
    expect(cookieValue('a=1; iosrescue_session=abc; b=2', 'iosrescue_session')).toBe('abc');
    expect(cookieValue('xiosrescue_session=abc', 'iosrescue_session')).toBeUndefined();
    expect(cookieValue(undefined, 'iosrescue_session')).toBeUndefined();
    const sessions = new ConsoleSessions();
    const session = sessions.redeem(sessions.createLoginLink().token)!;
    expect(csrfMatches(session, session.csrfToken)).toBe(true);
    expect(csrfMatches(session, `${session.csrfToken.slice(0, -1)}0`)).toBe(session.csrfToken.endsWith('0'));
    expect(csrfMatches(session, undefined)).toBe(false);
    expect(csrfMatches(session, [session.csrfToken])).toBe(false);
    expect(sessionCookie(session)).toBe(`iosrescue_session=${session.id}; HttpOnly; SameSite=Strict; Path=/`);
  });
});
