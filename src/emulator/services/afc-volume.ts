import { mkdir, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

/** The file a host locks around a backup; the only thing a read-only volume lets a host open for writing. */
export const SYNC_LOCK_PATH = 'com.apple.itunes.lock_sync';

export interface AfcVolumeOptions {
  /** Serve the folder as it is: every write is PERM_DENIED (`emulator --media DIR` never changes DIR). */
  readOnly?: boolean;
  /** Fills the folder before the first look inside it (the phone's media from its content); run once. */
  populate?: () => Promise<void>;
}

/**
 * The phone's media partition as AFC shows it (`/var/mobile/Media`): a real folder (the phone's own under its state
 * dir, or a folder given with `--media`), plus the advisory locks AFC FileLock takes on it. Locks are per phone,
 * shared by all AFC connections, so a second host asking for the sync lock while a backup holds it is told
 * OP_WOULD_BLOCK, as a real phone does. Paths are checked twice: `..` cannot leave the root, and neither can a
 * symbolic link inside it (the link's real target must be inside the root's real path).
 */
export class AfcVolume {
  private readonly locks = new Map<string, { owner: object; exclusive: boolean; shared: Set<object> }>();
  private realRoot: string | undefined;
  private populated: Promise<void> | undefined;
  /** Fault injection: answer this many exclusive-lock requests with OP_WOULD_BLOCK before granting one. */
  busyLockReplies = 0;
  /**
   * Fault injection: once this many more bytes of file data went out over any of the phone's AFC connections, the
   * connection sending the next byte drops (once; a host may read over several connections at a time).
   */
  dropAfterBytes: number | undefined;
  readonly readOnly: boolean;

  constructor(
    readonly root: string,
    private readonly options: AfcVolumeOptions = {},
  ) {
    this.readOnly = options.readOnly ?? false;
  }

  async ensureRoot(): Promise<void> {
    if (!this.readOnly) await mkdir(this.root, { recursive: true, mode: 0o700 });
    this.realRoot ??= await realpath(this.root);
  }

  /** Runs the populate step once (a failed run is retried by the next caller). */
  ensurePopulated(): Promise<void> {
    if (!this.options.populate) return Promise.resolve();
    this.populated ??= this.options.populate().catch((error: unknown) => {
      this.populated = undefined;
      throw error;
    });
    return this.populated;
  }

  /** An AFC path (absolute or relative to the root) as a host path inside the root, or undefined if it escapes. */
  resolve(afcPath: string): string | undefined {
    if (afcPath.includes('\0')) return undefined;
    const full = resolve(this.root, `.${sep}${afcPath.replace(/^\/+/, '')}`);
    return full === this.root || full.startsWith(this.root + sep) ? full : undefined;
  }

  /**
   * Like resolve, and the path's real location (symbolic links followed; for `parentOnly` only its folder's, so
   * a link itself can be described or removed) must be inside the root. A missing path is checked by its nearest
   * existing ancestor.
   */
  async resolveReal(afcPath: string, options: { parentOnly?: boolean } = {}): Promise<string | undefined> {
    const full = this.resolve(afcPath);
    if (full === undefined) return undefined;
    await this.ensureRoot();
    const root = this.realRoot!;
    let probe = options.parentOnly && full !== this.root ? dirname(full) : full;
    for (;;) {
      const real = await realpath(probe).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
        throw error;
      });
      if (real !== undefined) return real === root || real.startsWith(root + sep) ? full : undefined;
      if (probe === this.root) return undefined;
      probe = dirname(probe);
    }
  }

  /** Takes or releases a lock for `owner` (one open handle); false means someone else holds a conflicting lock. */
  lock(path: string, owner: object, mode: 'shared' | 'exclusive' | 'unlock'): boolean {
    const held = this.locks.get(path);
    if (mode === 'unlock') {
      if (held?.owner === owner) this.locks.delete(path);
      held?.shared.delete(owner);
      if (held && held.shared.size === 0 && !held.exclusive) this.locks.delete(path);
      return true;
    }
    if (mode === 'exclusive') {
      if (this.busyLockReplies > 0) {
        this.busyLockReplies -= 1;
        return false;
      }
      if (held && (held.exclusive ? held.owner !== owner : [...held.shared].some((o) => o !== owner))) return false;
      this.locks.set(path, { owner, exclusive: true, shared: new Set() });
      return true;
    }
    if (held?.exclusive && held.owner !== owner) return false;
    const entry = held ?? { owner, exclusive: false, shared: new Set<object>() };
    entry.shared.add(owner);
    this.locks.set(path, entry);
    return true;
  }

  /** Drops every lock an owner holds (its handle closed or its connection went away). */
  releaseAll(owner: object): void {
    for (const [path, held] of this.locks) {
      held.shared.delete(owner);
      if (held.owner === owner || (!held.exclusive && held.shared.size === 0)) this.locks.delete(path);
    }
  }
}
