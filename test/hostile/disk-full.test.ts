import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WORK_FOLDER } from '../../src/backup/index.js';
import { BackupWriter } from '../../src/backup/writer.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { folderContent } from '../../src/emulator/index.js';
import { PairRecordStore } from '../../src/lockdown/index.js';
import { backupDevice, defaultDeviceAccess, type BackupProgress } from '../../src/operations/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import {
  UDID,
  backupContents,
  capturingLogger,
  generationContents,
  sendFile,
  sendGeneration,
  writeGeneration,
} from '../helpers/backup-generations.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * A real full disk: a small tmpfs mounted for the test (root only; elsewhere the tests are skipped and say why).
 * The disk fills up after the phone has checked the free space (another program wrote to it), so the phone goes
 * ahead and our writes fail with ENOSPC: the backup must end in BACKUP_NO_SPACE (exit 9) whatever the phone does
 * when told, keep the previous backup, and leave nothing behind.
 */
function tmpfsAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: mounting a small tmpfs to fill needs root';
  const probe = mkdtempSync(join(tmpdir(), 'iosr-tmpfs-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    if (mounted.status !== 0) return `cannot mount a tmpfs here: ${mounted.stderr.toString().trim()}`;
    spawnSync('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const unavailable = tmpfsAvailable();
if (unavailable !== undefined) console.warn(`test/hostile/disk-full.test.ts skipped: ${unavailable}`);

let emu: TestEmulator;
let tmp: string;
let disk: string;
let out: string;
let udid: string;

/** Writes to `path` until the filesystem refuses (ENOSPC): bytes, or with `inodes` empty files. */
function fill(path: string, what: 'bytes' | 'inodes'): number {
  let count = 0;
  if (what === 'bytes') {
    const fd = openSync(path, 'w');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) count += writeSync(fd, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
    return count;
  }
  mkdirSync(path);
  try {
    for (; ; count++) closeSync(openSync(join(path, String(count)), 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  return count;
}

function backup(n: number, onProgress?: (progress: BackupProgress) => void) {
  emu.emulator.backup.content = () => folderContent(join(tmp, `g${n}`));
  const access = defaultDeviceAccess(capturingLogger().logger, {
    usbmux: new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) }),
    store: new PairRecordStore(join(tmp, 'store')),
  });
  return backupDevice(access, { out, full: true, syncFiles: false, onProgress });
}

async function previousBackupIsWhole(): Promise<void> {
  expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
  expect(existsSync(join(out, WORK_FOLDER))).toBe(false);
  expect(await readdir(out)).toEqual([udid]);
}

describe.skipIf(unavailable !== undefined)('a full disk during a backup', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'iosr-diskfull-'));
    await writeGeneration(join(tmp, 'g1'), 1);
    await writeGeneration(join(tmp, 'g2'), 2);
    emu = await startTestEmulator({ devices: 1 });
    udid = emu.udids[0]!;
  });
  afterAll(async () => {
    await emu?.stop();
    await rm(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    disk = await mkdtemp(join(tmp, 'disk-'));
    out = join(disk, 'backups');
  });
  afterEach(async () => {
    spawnSync('umount', ['-l', disk]);
    await rm(disk, { recursive: true, force: true });
  });

  function mountTmpfs(options: string): void {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', disk]);
    expect(mounted.status, mounted.stderr.toString()).toBe(0);
  }

  it("ENOSPC while receiving the phone's files is BACKUP_NO_SPACE (exit 9) naming the folder, needed and free space", async () => {
    mountTmpfs('size=2m');
    await backup(1);
    const filler = join(disk, 'filler');
    let filled = false;
    const failure = backup(2, (progress) => {
      // The phone has compared its needs with our free space and started sending: now something else fills the disk.
      if (progress.phase === 'transferring' && !filled) {
        filled = true;
        fill(filler, 'bytes');
      }
    });
    const error = await failure.catch((e: unknown) => e);
    expect(filled).toBe(true);
    expect(error).toMatchObject({
      code: 'BACKUP_NO_SPACE',
      details: { folder: out, errno: 'ENOSPC', freeBytes: expect.any(Number) },
    });
    const { message, details } = error as { message: string; details: { neededBytes?: number } };
    expect(details.neededBytes).toBeGreaterThan(0);
    expect(message).toContain(out);
    expect(message).toMatch(/batch of files needed [\d.]+ (bytes|KiB|MiB), [\d.]+ (bytes|KiB) free/);
    expect(exitCodeFor(error)).toBe(9);
    await unlink(filler);
    await previousBackupIsWhole();
    // With space again, the next run completes.
    await backup(2);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(2));
  });

  it('a phone that carries on after being told the disk is full gets no commit: BACKUP_NO_SPACE, previous backup kept', async () => {
    mountTmpfs('size=2m');
    const first = await BackupWriter.open(out, UDID);
    await sendGeneration(first, join(tmp, 'g1'));
    await first.commit();
    const writer = await BackupWriter.open(out, UDID);
    const filler = join(disk, 'filler');
    fill(filler, 'bytes');
    // The errno goes back as it is: the message loop turns it into the status the phone is told (-15).
    await expect(sendFile(writer, `${UDID}/Manifest.db`, Buffer.alloc(200_000, 1))).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    await unlink(filler);
    // The phone ignores that status and sends everything else, ending with Status.plist "finished".
    await sendGeneration(writer, join(tmp, 'g2'));
    await expect(writer.commit()).rejects.toMatchObject({
      code: 'BACKUP_NO_SPACE',
      details: { writing: `a file from the phone (${UDID}/Manifest.db)` },
    });
    await writer.abort('test');
    expect(await backupContents(join(out, UDID))).toEqual(await generationContents(1));
    expect(await readdir(out)).toEqual([UDID]);
  });

  it('no room to stage the previous backup (no inodes left for its folders) is BACKUP_NO_SPACE before the phone is asked', async () => {
    mountTmpfs('size=4m,nr_inodes=400');
    await backup(1);
    const fillers = join(disk, 'fillers');
    const made = fill(fillers, 'inodes');
    // Room for the work folder, its lock file and the staging folder, and not for the first folder inside it.
    for (let i = 1; i <= 3; i++) await unlink(join(fillers, String(made - i)));
    const error = await backup(2).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKUP_NO_SPACE', details: { folder: out, freeInodes: 0 } });
    expect((error as Error).message).toMatch(/staging copy of the previous backup.*no free inodes/);
    expect(exitCodeFor(error)).toBe(9);
    await rm(fillers, { recursive: true, force: true });
    await previousBackupIsWhole();
  });
});
