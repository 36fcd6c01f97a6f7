import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpApiError } from './errors.js';

/** The bearer token TCP clients send; the unix socket needs none (its 0600 mode is the access check). */
export const TOKEN_FILE = 'token';

/**
 * Reads DIR/token, or creates it on first start: 32 random bytes as hex, written with O_EXCL and mode 0600 so it is
 * never readable by others, not even for a moment. Two daemons starting at once: the loser of O_EXCL reads the
 * winner's file.
 */
export async function loadOrCreateToken(stateDir: string): Promise<string> {
  const path = join(stateDir, TOKEN_FILE);
  try {
    await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) {
    throw new HttpApiError(
      'API_STATE_DIR_UNSAFE',
      `${path} is readable by others (mode ${mode.toString(8)}): chmod 600 it, or delete it for a new token`,
    );
  }
  const token = (await readFile(path, 'utf8')).trim();
  if (token.length < 32) throw new HttpApiError('API_STATE_DIR_UNSAFE', `${path} holds no usable token: delete it`);
  return token;
}

/** `Authorization: Bearer <token>` compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
