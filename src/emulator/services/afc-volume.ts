import { mkdir } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/**
 * The phone's media partition as AFC shows it (`/var/mobile/Media`): a real folder under the phone's state dir,
 * plus the advisory locks AFC FileLock takes on it. Locks are per phone, shared by all AFC connections, so a second
 * host asking for the sync lock while a backup holds it is told OP_WOULD_BLOCK, as a real phone does.
 */
export class AfcVolume {
  private readonly locks = new Map<string, { owner: object; exclusive: boolean; shared: Set<object> }>();
  /** Fault injection: answer this many exclusive-lock requests with OP_WOULD_BLOCK before granting one. */
  busyLockReplies = 0;

  constructor(readonly root: string) {}

  async ensureRoot(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  /** An AFC path (absolute or relative to the root) as a host path inside the root, or undefined if it escapes. */
  resolve(afcPath: string): string | undefined {
    if (afcPath.includes('\0')) return undefined;
    const full = resolve(this.root, `.${sep}${afcPath.replace(/^\/+/, '')}`);
    return full === this.root || full.startsWith(this.root + sep) ? full : undefined;
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
