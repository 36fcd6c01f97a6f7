import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A login link is good for this long, once. */
export const LOGIN_LINK_TTL_MS = 2 * 60_000;
/** A session nobody used for this long is forgotten. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'iosrescue_session';

export interface ConsoleSession {
  id: string;
  csrfToken: string;
  createdAt: number;
  lastSeen: number;
  /** Encrypted backups this session unlocked (by id); the password itself is not kept, the open reader is. */
  unlocked: Set<string>;
}

/**
 * Login links and sessions, in memory only: a daemon restart forgets them (log in again with `iosrescue console`).
 * Tokens are 32 random bytes; lookups are by the token as a map key, which is fine for random 256-bit values, and the
 * CSRF token is compared in constant time.
 */
export class ConsoleSessions {
  private readonly links = new Map<string, number>();
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(private readonly now: () => number = Date.now) {}

  createLoginLink(): { token: string; expiresAt: number } {
    this.forgetExpired();
    const token = randomBytes(32).toString('hex');
    const expiresAt = this.now() + LOGIN_LINK_TTL_MS;
    this.links.set(token, expiresAt);
    return { token, expiresAt };
  }

  /** Trades a login link's token for a new session; the token is spent whatever the outcome. */
  redeem(token: string): ConsoleSession | undefined {
    const expiresAt = this.links.get(token);
    this.links.delete(token);
    if (expiresAt === undefined || expiresAt < this.now()) return undefined;
    const session: ConsoleSession = {
      id: randomBytes(32).toString('hex'),
      csrfToken: randomBytes(32).toString('hex'),
      createdAt: this.now(),
      lastSeen: this.now(),
      unlocked: new Set(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session a Cookie header names, when it is known and not idle too long. */
  fromCookieHeader(header: string | undefined): ConsoleSession | undefined {
    const id = cookieValue(header, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastSeen > SESSION_IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [token, expiresAt] of this.links) if (expiresAt < now) this.links.delete(token);
  }
}

export function csrfMatches(session: ConsoleSession, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(session.csrfToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** One cookie's value from a Cookie header (RFC 6265 §5.4: `name=value` pairs separated by "; "). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value for a session: never readable by scripts, never sent by other sites. */
export function sessionCookie(session: ConsoleSession): string {
  return `${SESSION_COOKIE}=${session.id}; HttpOnly; SameSite=Strict; Path=/`;
}
