import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateHostId } from '../wire/index.js';
import { isPlistDict, parsePlist, type PlistDict } from '../plist/index.js';
import { ensurePrivateDir, readPlistFile, writePlistFile } from './state-files.js';

/** What a pair-record request failed with: usbmuxd answers these as an errno in `Number`. */
export type PairRecordErrno = 'ENOENT' | 'EINVAL';

/**
 * usbmuxd's own storage (libimobiledevice/usbmuxd src/conf.c), kept in the state dir like /var/lib/lockdown:
 * `<UDID>.plist` per pair record, always rewritten as XML whatever the client sent, and
 * `SystemConfiguration.plist` holding the SystemBUID, made on first use.
 */
export class UsbmuxdConfig {
  private systemBuid: string | undefined;

  constructor(readonly dir: string) {}

  async readSystemBuid(): Promise<string> {
    if (this.systemBuid) return this.systemBuid;
    const path = join(this.dir, 'SystemConfiguration.plist');
    const existing = await readPlistFile(path);
    if (existing && typeof existing.SystemBUID === 'string') {
      this.systemBuid = existing.SystemBUID;
      return existing.SystemBUID;
    }
    // Same shape as usbmuxd's: uppercase 8-4-4-4-12 hex.
    const buid = generateHostId();
    await writePlistFile(path, { ...(existing ?? {}), SystemBUID: buid });
    this.systemBuid = buid;
    return buid;
  }

  async readPairRecord(recordId: string): Promise<Buffer | PairRecordErrno> {
    const path = this.recordPath(recordId);
    if (!path) return 'EINVAL';
    try {
      const data = await readFile(path);
      return data.length > 0 ? data : 'ENOENT';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ENOENT';
      throw error;
    }
  }

  /** Accepts binary or XML like usbmuxd; it must parse to a dict (fewer than 8 bytes is EINVAL there too). */
  async savePairRecord(recordId: string, data: Buffer): Promise<PairRecordErrno | undefined> {
    const path = this.recordPath(recordId);
    if (!path || data.length < 8) return 'EINVAL';
    let record: PlistDict;
    try {
      const value = parsePlist(data);
      if (!isPlistDict(value)) return 'EINVAL';
      record = value;
    } catch {
      return 'EINVAL';
    }
    await ensurePrivateDir(this.dir);
    await writePlistFile(path, record);
    return undefined;
  }

  async deletePairRecord(recordId: string): Promise<PairRecordErrno | undefined> {
    const path = this.recordPath(recordId);
    if (!path) return 'EINVAL';
    try {
      await rm(path);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ENOENT';
      throw error;
    }
  }

  /**
   * The record's file, or undefined for an id that is not a plain UDID: the id comes from any local client and
   * becomes a file name, so "../x" or "SystemConfiguration" must never get through.
   */
  private recordPath(recordId: string): string | undefined {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(recordId) || recordId === 'SystemConfiguration') return undefined;
    return join(this.dir, `${recordId}.plist`);
  }
}
