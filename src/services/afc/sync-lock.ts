import { setTimeout as sleep } from 'node:timers/promises';
import type { AfcClient } from './client.js';
import { AfcError } from './errors.js';
import { AfcFileMode, AfcLock } from './protocol.js';

const LOCK_FILE = '/com.apple.itunes.lock_sync';

/**
 * The sync lock iTunes/Finder and idevicebackup2 take before a backup, so the phone's own sync jobs keep out of the
 * way: open the lock file, lock it exclusively, retrying while it answers OP_WOULD_BLOCK (50 tries, 200 ms apart).
 */
export async function acquireSyncLock(
  afc: AfcClient,
  options: { tries?: number; intervalMs?: number } = {},
): Promise<{ release(): Promise<void> }> {
  const handle = await afc.openFile(LOCK_FILE, AfcFileMode.RW);
  const tries = options.tries ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      await afc.lock(handle, AfcLock.EXCLUSIVE);
      break;
    } catch (error) {
      if (!(error instanceof AfcError) || error.code !== 'AFC_OP_WOULD_BLOCK') {
        await afc.closeFile(handle).catch(() => undefined);
        throw error;
      }
      if (attempt >= tries) {
        await afc.closeFile(handle).catch(() => undefined);
        throw new AfcError(
          'AFC_LOCK_TIMEOUT',
          "another program holds the phone's sync lock (iTunes, Finder, or the phone's own sync): close it and try again",
        );
      }
      await sleep(options.intervalMs ?? 200);
    }
  }
  return {
    async release() {
      await afc.lock(handle, AfcLock.UNLOCK).catch(() => undefined);
      await afc.closeFile(handle).catch(() => undefined);
    },
  };
}
