import { createReadStream, createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Writable, Readable } from 'node:stream';
import type { BackupHost, DirectoryEntry } from '../../src/services/mobilebackup2/index.js';

/** A plain-folder BackupHost for protocol tests (the real one, with staging and commit, is backup/writer.ts). */
export class DirBackupHost implements BackupHost {
  constructor(
    readonly root: string,
    private readonly freeBytes = 10 * 1024 ** 3,
  ) {}

  private path(rel: string): string {
    const full = resolve(this.root, rel);
    if (!full.startsWith(this.root + sep)) throw Object.assign(new Error(`refused ${rel}`), { code: 'EACCES' });
    return full;
  }

  async openForRead(rel: string): Promise<Readable | undefined> {
    const full = this.path(rel);
    try {
      await stat(full);
    } catch {
      return undefined;
    }
    return createReadStream(full);
  }

  async openForWrite(rel: string): Promise<Writable> {
    const full = this.path(rel);
    await mkdir(dirname(full), { recursive: true });
    return createWriteStream(full);
  }

  async contentsOfDirectory(rel: string): Promise<Map<string, DirectoryEntry> | undefined> {
    try {
      const out = new Map<string, DirectoryEntry>();
      for (const name of await readdir(this.path(rel))) {
        const info = await stat(join(this.path(rel), name));
        out.set(name, {
          type: info.isDirectory() ? 'DLFileTypeDirectory' : 'DLFileTypeRegular',
          size: info.size,
          modified: info.mtime,
        });
      }
      return out;
    } catch {
      return undefined;
    }
  }

  async createDirectory(rel: string): Promise<void> {
    await mkdir(this.path(rel), { recursive: true });
  }

  async move(pairs: Array<[string, string]>): Promise<void> {
    for (const [from, to] of pairs) {
      await rm(this.path(to), { recursive: true, force: true });
      await rename(this.path(from), this.path(to));
    }
  }

  async remove(paths: string[]): Promise<void> {
    for (const rel of paths) await rm(this.path(rel), { recursive: true, force: true });
  }

  async copy(from: string, to: string): Promise<void> {
    await cp(this.path(from), this.path(to), { recursive: true });
  }

  async freeDiskSpace(): Promise<number> {
    return this.freeBytes;
  }
}
