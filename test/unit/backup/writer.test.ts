import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BackupWriter } from '../../../src/backup/writer.js';
import { WORK_FOLDER } from '../../../src/backup/staging.js';
import type { BackupHost } from '../../../src/services/mobilebackup2/index.js';
import { readAll, withTempDir } from '../../helpers/backup-fixtures.js';
import {
  UDID,
  backupContents,
  capturingLogger,
  filesUnder,
  generationContents,
  sendFile,
  sendGeneration,
  writeGeneration,
} from '../../helpers/backup-generations.js';

const staging = (out: string): string => join(out, WORK_FOLDER, `${UDID}.staging`);

async function withPrevious<T>(body: (out: string, tmp: string) => Promise<T>): Promise<T> {
  return withTempDir('iosr-writer-', async (tmp) => {
    const out = join(tmp, 'out');
    await writeGeneration(join(tmp, 'g1'), 1);
    await writeGeneration(join(tmp, 'g2'), 2);
    const first = await BackupWriter.open(out, UDID);
    await sendGeneration(first, join(tmp, 'g1'));
    await first.commit();
    return body(out, tmp);
  });
}

describe('BackupWriter', () => {
  it('is a BackupHost for mobilebackup2 (structurally, without importing services)', async () => {
    await withTempDir('iosr-writer-', async (tmp) => {
      const writer = await BackupWriter.open(tmp, UDID);
      const host: BackupHost = writer;
      expect(await host.contentsOfDirectory(UDID)).toEqual(new Map());
      await writer.abort('test');
    });
  });

  it('a first backup lands in <out>/<UDID> and reads back through BackupReader', async () => {
    await withPrevious(async (out) => {
      expect(await backupContents(join(out, UDID))).toEqual(await generationContents(1));
    });
  });

  it('stages the previous backup as hard links, and a re-sent file replaces its link without touching the old inode', async () => {
    await withPrevious(async (out) => {
      const writer = await BackupWriter.open(out, UDID);
      expect(writer.previous).toMatchObject({ exists: true, usableForIncremental: true });
      const dbBefore = await stat(join(out, UDID, 'Manifest.db'));
      const stagedBefore = await stat(join(staging(out), 'Manifest.db'));
      expect(stagedBefore.ino).toBe(dbBefore.ino);
      const oldBytes = await readFile(join(out, UDID, 'Manifest.db'));

      // The phone downloads the previous manifest first (incremental backups start that way)…
      expect(await readAll((await writer.openForRead(`${UDID}/Manifest.db`))!)).toEqual(oldBytes);
      // …then sends a new one.
      await sendFile(writer, `${UDID}/Manifest.db`, Buffer.from('new manifest'));
      const stagedAfter = await stat(join(staging(out), 'Manifest.db'));
      expect(stagedAfter.ino).not.toBe(dbBefore.ino);
      expect(await readFile(join(out, UDID, 'Manifest.db'))).toEqual(oldBytes);
      expect((await stat(join(out, UDID, 'Manifest.db'))).ino).toBe(dbBefore.ino);
      expect(await readFile(join(staging(out), 'Manifest.db'), 'utf8')).toBe('new manifest');
      await writer.abort('test');
    });
  });

  it('a file whose stream fails is discarded and the previous contents stay', async () => {
    await withPrevious(async (out) => {
      const writer = await BackupWriter.open(out, UDID);
      const before = await readFile(join(staging(out), 'Manifest.plist'));
      const target = await writer.openForWrite(`${UDID}/Manifest.plist`);
      await new Promise<void>((resolve) => target.write(Buffer.alloc(50_000, 7), () => resolve()));
      target.on('error', () => undefined);
      target.destroy(new Error('the phone reported an error for this file'));
      await new Promise((resolve) => target.once('close', resolve));
      expect(await readFile(join(staging(out), 'Manifest.plist'))).toEqual(before);
      expect(await readdir(join(out, WORK_FOLDER, `${UDID}.tmp`))).toEqual([]);
      await writer.abort('test');
    });
  });

  it('refuses device paths that escape the backup folder, logs them, and writes nothing outside', async () => {
    await withPrevious(async (out, tmp) => {
      const { logger, lines } = capturingLogger();
      const writer = await BackupWriter.open(out, UDID, { logger });
      const outside = join(tmp, 'outside');
      await mkdir(outside);
      // A symlink in staging cannot come from the phone (no message makes one); planted here to prove it is not
      // followed.
      await symlink(outside, join(staging(out), 'evil'));
      const hostile = [
        `${UDID}/../../outside/x`,
        `../outside/x`,
        `/etc/passwd`,
        `${UDID}/a\0b`,
        `${UDID}/..\\..\\outside\\x`,
        `C:${UDID}/x`,
        `OTHER-UDID/Manifest.db`,
        `${UDID}/evil/x`,
        `${UDID}/evil`,
      ];
      for (const path of hostile) {
        await expect(writer.openForWrite(path), path).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
        await expect(writer.createDirectory(`${path}/d`), path).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
        await expect(writer.move([[`${UDID}/Manifest.plist`, path]]), path).rejects.toMatchObject({
          code: 'BACKUP_PATH_ESCAPE',
        });
        await expect(writer.copy(`${UDID}/Manifest.plist`, path), path).rejects.toMatchObject({
          code: 'BACKUP_PATH_ESCAPE',
        });
        await expect(writer.remove([path]), path).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
        await expect(writer.openForRead(path), path).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
      }
      expect(await readdir(outside)).toEqual([]);
      expect(existsSync(join(out, 'OTHER-UDID'))).toBe(false);
      const refusals = lines.filter((line) => line.msg === 'refused a path from the phone');
      expect(refusals.length).toBe(hostile.length * 6);
      expect(refusals.map((line) => line.path)).toContain(`${UDID}/../../outside/x`);
      await writer.abort('test');
    });
  });

  it('makes folders 0700 and files 0600, in staging and in the installed backup', async () => {
    await withTempDir('iosr-writer-', async (tmp) => {
      const out = join(tmp, 'out');
      await writeGeneration(join(tmp, 'g1'), 1);
      const writer = await BackupWriter.open(out, UDID);
      await writer.createDirectory(`${UDID}/Snapshot/ab`);
      await writer.copy(`${UDID}`, `${UDID}/Snapshot`);
      await sendGeneration(writer, join(tmp, 'g1'));
      await writer.copy(`${UDID}/Info.plist`, `${UDID}/Snapshot/Info.plist`);
      await writer.remove([`${UDID}/Snapshot`]);
      await writer.commit();
      const modes = new Set<string>();
      const walk = async (dir: string): Promise<void> => {
        modes.add(`dir ${((await lstat(dir)).mode & 0o777).toString(8)}`);
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          if (entry.isDirectory()) await walk(join(dir, entry.name));
          else modes.add(`file ${((await lstat(join(dir, entry.name))).mode & 0o777).toString(8)}`);
        }
      };
      await walk(out);
      expect([...modes].sort()).toEqual(['dir 700', 'file 600']);
    });
  });

  it('answers directory listings, moves (replacing the target), removals and copies as a real host does', async () => {
    await withPrevious(async (out) => {
      const writer = await BackupWriter.open(out, UDID);
      const top = await writer.contentsOfDirectory(UDID);
      expect(top?.get('Manifest.db')?.type).toBe('DLFileTypeRegular');
      expect(top?.get('Status.plist')?.size).toBe((await stat(join(out, UDID, 'Status.plist'))).size);
      const hashed = [...top!.entries()].filter(([, e]) => e.type === 'DLFileTypeDirectory').map(([name]) => name);
      expect(hashed.length).toBeGreaterThan(0);
      expect(await writer.contentsOfDirectory(`${UDID}/missing`)).toBeUndefined();

      await writer.createDirectory(`${UDID}/Snapshot/00`);
      await sendFile(writer, `${UDID}/Snapshot/00/file`, Buffer.from('moved'));
      await writer.move([[`${UDID}/Snapshot/00/file`, `${UDID}/Manifest.plist`]]);
      expect(await readAll((await writer.openForRead(`${UDID}/Manifest.plist`))!)).toEqual(Buffer.from('moved'));
      expect(await writer.openForRead(`${UDID}/Snapshot/00/file`)).toBeUndefined();
      await expect(writer.move([[`${UDID}/nope`, `${UDID}/x`]])).rejects.toMatchObject({ code: 'ENOENT' });

      await writer.copy(`${UDID}/Manifest.plist`, `${UDID}/Snapshot/copy`);
      expect(await readAll((await writer.openForRead(`${UDID}/Snapshot/copy`))!)).toEqual(Buffer.from('moved'));
      await writer.remove([`${UDID}/Snapshot`, `${UDID}/never-existed`]);
      expect(await writer.contentsOfDirectory(`${UDID}/Snapshot`)).toBeUndefined();
      await expect(writer.openForRead(hashed[0] ? `${UDID}/${hashed[0]}` : UDID)).rejects.toMatchObject({
        code: 'EISDIR',
      });
      // The previous backup saw none of it.
      expect(await backupContents(join(out, UDID))).toEqual(await generationContents(1));
      await writer.abort('test');
    });
  });

  it('reports the free space of the target filesystem as statvfs does (checked against stat -f)', async () => {
    await withTempDir('iosr-writer-', async (tmp) => {
      const writer = await BackupWriter.open(tmp, UDID);
      const ours = await writer.freeDiskSpace();
      const probe = spawnSync('stat', ['-f', '-c', '%a %S', tmp], { encoding: 'utf8' });
      if (probe.status === 0) {
        const [available, blockSize] = probe.stdout.trim().split(' ').map(Number);
        // Other processes write to the same disk meanwhile: allow 256 MiB of drift.
        expect(Math.abs(ours - available! * blockSize!)).toBeLessThan(256 * 1024 * 1024);
      }
      expect(ours).toBeGreaterThan(0);
      await writer.abort('test');
    });
  });

  it("allows one backup of a device into a folder at a time; a dead process's lock is taken over", async () => {
    await withTempDir('iosr-writer-', async (tmp) => {
      const writer = await BackupWriter.open(tmp, UDID);
      await expect(BackupWriter.open(tmp, UDID)).rejects.toMatchObject({ code: 'BACKUP_BUSY' });
      await writer.abort('test');
      // The abort removed the emptied work folder: a crashed run would have left it with its lock inside.
      expect(existsSync(join(tmp, WORK_FOLDER))).toBe(false);
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      await mkdir(join(tmp, WORK_FOLDER));
      await writeFile(join(tmp, WORK_FOLDER, `${UDID}.lock`), `${dead}\n`);
      const again = await BackupWriter.open(tmp, UDID);
      await again.abort('test');
    });
  });

  it('refuses a UDID that is not one folder name', async () => {
    await withTempDir('iosr-writer-', async (tmp) => {
      for (const udid of ['../x', 'a/b', '', '.hidden']) {
        await expect(BackupWriter.open(tmp, udid)).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
      }
    });
  });

  it('streams big files with backpressure instead of buffering them', async () => {
    await withTempDir('iosr-writer-', async (tmp) => {
      const writer = await BackupWriter.open(tmp, UDID, { syncFiles: false });
      const target = await writer.openForWrite(`${UDID}/big`);
      expect(target.writableHighWaterMark).toBeLessThanOrEqual(1024 * 1024);
      let refused = 0;
      const chunk = Buffer.alloc(1024 * 1024, 3);
      for (let i = 0; i < 64; i++) {
        if (!target.write(chunk)) {
          refused += 1;
          await new Promise((resolve) => target.once('drain', resolve));
        }
      }
      await new Promise<void>((resolve, reject) =>
        (target as Writable).end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      expect(refused).toBeGreaterThan(0);
      expect((await stat(join(staging(tmp), 'big'))).size).toBe(64 * 1024 * 1024);
      let count = 0;
      for await (const _ of filesUnder(staging(tmp))) count += 1;
      expect(count).toBe(1);
      await writer.abort('test');
    });
  });
});
