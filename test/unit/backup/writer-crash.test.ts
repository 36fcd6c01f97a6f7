import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackupWriter } from '../../../src/backup/writer.js';
import { WORK_FOLDER, type CommitStep } from '../../../src/backup/staging.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';
import {
  UDID,
  backupContents,
  generationContents,
  sendFile,
  sendGeneration,
  sha256File,
  writeGeneration,
} from '../../helpers/backup-generations.js';

/**
 * Safety of the previous backup (issue 3, item 3): whatever point a backup run stops at — during the transfer, or
 * at any step of the commit's rename sequence — the folder ends up, after the next open, holding exactly one
 * complete backup that BackupReader reads (the previous one, or the new one once it was complete), the previous
 * backup's files were never written to, and the next run completes.
 */

const STEPS: CommitStep[] = ['staged', 'ready', 'previous-set-aside', 'installed'];

class SimulatedCrash extends Error {}

/** <out>/<UDID> = generation 1, made through the writer as a real first backup would be. */
async function firstBackup(out: string, gens: string): Promise<void> {
  await writeGeneration(join(gens, 'g1'), 1);
  await writeGeneration(join(gens, 'g2'), 2);
  await writeGeneration(join(gens, 'g3'), 3);
  const writer = await BackupWriter.open(out, UDID);
  await sendGeneration(writer, join(gens, 'g1'));
  await writer.commit();
}

async function inodesAndHashes(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = join(sub, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else result.set(`${(await stat(join(dir, rel))).ino}`, await sha256File(join(dir, rel)));
    }
  };
  await walk('');
  return result;
}

/** What is left beside the backup once recovery ran: nothing but the (empty) work folder. */
async function leftovers(out: string): Promise<string[]> {
  const top = (await readdir(out)).filter((name) => name !== UDID && name !== WORK_FOLDER);
  const work = existsSync(join(out, WORK_FOLDER)) ? await readdir(join(out, WORK_FOLDER)) : [];
  return [...top, ...work];
}

describe('an interrupted backup never damages the previous one', () => {
  for (const step of STEPS) {
    it(`commit stopped after step "${step}": the next open leaves one complete backup, and the next run completes`, async () => {
      await withTempDir('iosr-crash-', async (tmp) => {
        const out = join(tmp, 'out');
        await firstBackup(out, tmp);
        const previousFiles = await inodesAndHashes(join(out, UDID));

        const writer = await BackupWriter.open(out, UDID, {
          onCommitStep: (at) => {
            if (at === step) throw new SimulatedCrash(at);
          },
        });
        await sendGeneration(writer, join(tmp, 'g2'));
        await expect(writer.commit()).rejects.toBeInstanceOf(SimulatedCrash);

        // Every inode of the previous backup still holds exactly its old bytes (nothing was written in place).
        const oldCopy = step === 'staged' || step === 'ready' ? join(out, UDID) : join(out, WORK_FOLDER, `${UDID}.old`);
        if (step !== 'installed') {
          for (const [inode, hash] of await inodesAndHashes(oldCopy))
            if (previousFiles.has(inode)) expect(hash).toBe(previousFiles.get(inode));
        }

        const next = await BackupWriter.open(out, UDID);
        // Before "ready" the new backup was not yet complete on disk: the previous one stays; from "ready" on it rolls
        // forward.
        const expected = step === 'staged' ? 1 : 2;
        expect(await backupContents(join(out, UDID))).toEqual(await generationContents(expected));
        expect(next.previous.usableForIncremental).toBe(true);
        await sendGeneration(next, join(tmp, 'g3'));
        await next.commit();
        expect(await backupContents(join(out, UDID))).toEqual(await generationContents(3));
        expect(await leftovers(out)).toEqual([]);
      });
    });
  }

  it('a transfer abandoned half-way (abort) leaves the previous backup as it was, byte for byte', async () => {
    await withTempDir('iosr-crash-', async (tmp) => {
      const out = join(tmp, 'out');
      await firstBackup(out, tmp);
      const before = await inodesAndHashes(join(out, UDID));
      const writer = await BackupWriter.open(out, UDID);
      const half = await writer.openForWrite(`${UDID}/Manifest.db`);
      half.write(Buffer.alloc(10_000, 1));
      await writer.abort('the cable was pulled');
      expect(await inodesAndHashes(join(out, UDID))).toEqual(before);
      expect(await backupContents(join(out, UDID))).toEqual(await generationContents(1));
      expect(await leftovers(out)).toEqual([]);
    });
  });

  it('a run that stopped without cleaning up (crash mid-transfer) is dropped at the next open', async () => {
    await withTempDir('iosr-crash-', async (tmp) => {
      const out = join(tmp, 'out');
      await firstBackup(out, tmp);
      const before = await inodesAndHashes(join(out, UDID));
      // A previous process died: its staging folder and a half-received temp file remain, its lock names a dead pid.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      const writer = await BackupWriter.open(out, UDID);
      await sendFile(writer, `${UDID}/Status.plist`, Buffer.from('not a plist'));
      await writeFile(join(out, WORK_FOLDER, `${UDID}.lock`), `${dead}\n`);
      await writeFile(join(out, WORK_FOLDER, `${UDID}.tmp`, '99'), Buffer.alloc(100));

      const next = await BackupWriter.open(out, UDID);
      expect(await inodesAndHashes(join(out, UDID))).toEqual(before);
      await sendGeneration(next, join(tmp, 'g2'));
      await next.commit();
      expect(await backupContents(join(out, UDID))).toEqual(await generationContents(2));
    });
  });

  it('refuses to commit a backup the phone did not finish, and keeps the previous one', async () => {
    await withTempDir('iosr-crash-', async (tmp) => {
      const out = join(tmp, 'out');
      await firstBackup(out, tmp);
      const writer = await BackupWriter.open(out, UDID);
      await sendFile(writer, `${UDID}/Manifest.plist`, Buffer.alloc(0));
      await expect(writer.commit()).rejects.toMatchObject({ code: 'BACKUP_INCOMPLETE' });
      await writer.abort('incomplete');
      expect(await backupContents(join(out, UDID))).toEqual(await generationContents(1));
    });
  });
});

/**
 * The same, with a real kill -9: a child process runs the built writer (dist/) and SIGKILLs itself at a commit
 * step or in the middle of a file. Needs `npm run build`.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const builtWriter = join(repoRoot, 'dist/src/backup/writer.js');
if (!existsSync(builtWriter))
  console.warn('skipping the kill -9 backup tests: they run the built writer (npm run build)');

function runChild(out: string, generation: string, killAt: string): number | null {
  const program = `
    import { createReadStream } from 'node:fs';
    import { readdir } from 'node:fs/promises';
    import { join, relative } from 'node:path';
    import { pipeline } from 'node:stream/promises';
    import { BackupWriter } from ${JSON.stringify(builtWriter)};
    const [out, gen, killAt, udid] = process.argv.slice(1);
    const die = () => process.kill(process.pid, 'SIGKILL');
    const writer = await BackupWriter.open(out, udid, { onCommitStep: (step) => { if (step === killAt) die(); } });
    const files = (await readdir(gen, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
      .map((e) => relative(gen, join(e.parentPath ?? e.path, e.name))).sort((a, b) => (a === 'Status.plist') - (b === 'Status.plist'));
    for (const rel of files) {
      const target = await writer.openForWrite(udid + '/' + rel);
      if (killAt === 'mid-file' && rel === 'Manifest.db') { target.write(Buffer.alloc(5000)); await new Promise((r) => setTimeout(r, 50)); die(); }
      await pipeline(createReadStream(join(gen, rel)), target);
    }
    await writer.commit();
  `;
  return spawnSync(process.execPath, ['--input-type=module', '-e', program, out, generation, killAt, UDID], {
    encoding: 'utf8',
  }).status;
}

describe.skipIf(!existsSync(builtWriter))('kill -9 of a backup run', () => {
  for (const killAt of ['mid-file', ...STEPS]) {
    it(`killed at "${killAt}": the next run finds one complete backup and completes`, async () => {
      await withTempDir('iosr-kill-', async (tmp) => {
        const out = join(tmp, 'out');
        await firstBackup(out, tmp);
        expect(runChild(out, join(tmp, 'g2'), killAt)).toBeNull();
        expect(existsSync(join(out, WORK_FOLDER, `${UDID}.lock`))).toBe(true);
        const next = await BackupWriter.open(out, UDID);
        const expected = killAt === 'mid-file' || killAt === 'staged' ? 1 : 2;
        expect(await backupContents(join(out, UDID))).toEqual(await generationContents(expected));
        expect((await lstat(join(out, UDID))).mode & 0o777).toBe(0o700);
        await sendGeneration(next, join(tmp, 'g3'));
        await next.commit();
        expect(await backupContents(join(out, UDID))).toEqual(await generationContents(3));
        expect(await leftovers(out)).toEqual([]);
      });
    });
  }
});
