import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a derived password key may be kept between runs, keyed by the keybag it unlocks. Only used when the user
 * asks (`--keep-key-cache`): the key opens the backup as well as the password does, so by default it lives in
 * memory for one run and nowhere else.
 */
export interface KeyCache {
  get(keybagId: string): Promise<Buffer | undefined>;
  set(keybagId: string, key: Buffer): Promise<void>;
}

/** A stable identifier for a keybag: SHA-256 of its bytes (its salts make it unique per backup password). */
export function keybagId(keybagBytes: Buffer): string {
  return createHash('sha256').update(keybagBytes).digest('hex');
}

export function defaultKeyCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME ??
    (process.platform === 'win32'
      ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : join(homedir(), '.cache'));
  return join(base, 'iosrescue', 'backup-keys');
}

/** One file per keybag, in a 0700 folder, each 0600. */
export class FileKeyCache implements KeyCache {
  constructor(readonly dir: string = defaultKeyCacheDir()) {}

  async get(id: string): Promise<Buffer | undefined> {
    try {
      const key = await readFile(join(this.dir, `${id}.key`));
      return key.length === 32 ? key : undefined;
    } catch {
      return undefined;
    }
  }

  async set(id: string, key: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    await writeFile(join(this.dir, `${id}.key`), key, { mode: 0o600 });
  }
}
