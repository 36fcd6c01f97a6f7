import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parsePlist, toXmlPlist } from '../plist/index.js';
import { LockdownError } from './errors.js';
import { pairRecordFromPlist, pairRecordToPlist, type PairRecord } from './protocol.js';

/** A UDID as it may appear in a file name: hex and dashes only, so a hostile id cannot leave the folder. */
const UDID_PATTERN = /^[0-9A-Fa-f-]{20,64}$/;

/** `$IOSRESCUE_HOME/pair-records`, default `~/.config/iosrescue/pair-records`. */
export function defaultPairRecordDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.IOSRESCUE_HOME ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'iosrescue');
  return join(home, 'pair-records');
}

/**
 * Our own copy of the pair records we create or use, beside usbmuxd's: a record is a private key to the phone,
 * so the folder is 0700 and each file 0600, written to a temporary name, synced, then renamed into place.
 */
export class PairRecordStore {
  constructor(readonly dir: string = defaultPairRecordDir()) {}

  async read(udid: string): Promise<PairRecord | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathFor(udid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return pairRecordFromPlist(parsePlist(bytes));
  }

  async write(udid: string, record: PairRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const target = this.pathFor(udid);
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(toXmlPlist(pairRecordToPlist(record)));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  }

  async delete(udid: string): Promise<void> {
    await rm(this.pathFor(udid), { force: true });
  }

  pathFor(udid: string): string {
    if (!UDID_PATTERN.test(udid)) throw new LockdownError('LOCKDOWN_BAD_PAIR_RECORD', `"${udid}" is not a device UDID`);
    return join(this.dir, `${udid}.plist`);
  }
}
