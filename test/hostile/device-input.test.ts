import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WORK_FOLDER } from '../../src/backup/index.js';
import { emulatorBackupConfig } from '../../src/cli/commands/emulator-backup-options.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { BackupEncryption, folderContent } from '../../src/emulator/index.js';
import { PairRecordStore } from '../../src/lockdown/index.js';
import { backupDevice, defaultDeviceAccess, type DeviceAccess } from '../../src/operations/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { backupContents, capturingLogger, generationContents, writeGeneration } from '../helpers/backup-generations.js';
import { cliBuilt, runCli } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * A phone that sends more than it declared, against `backupDevice` over the virtual iPhone's real usbmuxd socket:
 * past the per-file cap the upload stops with DEVICELINK_FILE_TOO_LARGE; under the cap but past its Manifest.db
 * Size the commit refuses with BACKUP_DATA_LARGER_THAN_MANIFEST. Either way the previous backup stays whole and
 * readable and the backup folder holds nothing else.
 */
let emu: TestEmulator;
let tmp: string;
let out: string;
let storeDir: string;
let udid: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'iosr-hostile-'));
  await writeGeneration(join(tmp, 'g1'), 1);
  await writeGeneration(join(tmp, 'g2'), 2);
  emu = await startTestEmulator({ devices: 1, backup: { keybag: { iterations: 10, dpic: 10 } } });
  udid = emu.udids[0]!;
});
afterAll(async () => {
  await emu.stop();
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  out = await mkdtemp(join(tmp, 'out-'));
  storeDir = await mkdtemp(join(tmp, 'store-'));
  emu.emulator.backup.faults = {};
  await (await BackupEncryption.load(emu.emulator.devices[0]!)).disable();
});

function access(extra: Partial<DeviceAccess> = {}): DeviceAccess {
  return defaultDeviceAccess(extra.logger ?? capturingLogger().logger, {
    usbmux: new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) }),
    store: new PairRecordStore(storeDir),
    ...extra,
  });
}

function backup(n: number, options: { maxFileBytes?: number; full?: boolean; extra?: Partial<DeviceAccess> } = {}) {
  emu.emulator.backup.content = () => folderContent(join(tmp, `g${n}`));
  return backupDevice(access(options.extra), {
    out,
    full: options.full,
    maxFileBytes: options.maxFileBytes,
    syncFiles: false,
  });
}

async function previousBackupIsWhole(password?: string): Promise<void> {
  expect(await backupContents(join(out, udid), password)).toEqual(await generationContents(1));
  expect(await readdir(out)).toEqual([udid]);
  expect(existsSync(join(out, WORK_FOLDER))).toBe(false);
}

describe('a phone that sends more than it declared', () => {
  it('a file past the per-file cap stops the backup with DEVICELINK_FILE_TOO_LARGE, logged with its path', async () => {
    await backup(1);
    const { logger, lines } = capturingLogger();
    emu.emulator.backup.faults = { oversizeFileBytes: 300_000 };
    const failure = backup(2, { full: true, maxFileBytes: 100_000, extra: { logger } });
    await expect(failure).rejects.toMatchObject({
      code: 'DEVICELINK_FILE_TOO_LARGE',
      details: {
        limit: 100_000,
        devicePath: expect.stringMatching(/^\/var\/mobile\//),
        path: expect.stringMatching(new RegExp(`^${udid}/[0-9a-f]{2}/[0-9a-f]{40}$`)),
      },
    });
    await expect(failure).rejects.toThrow(/more than 100000 bytes for \/var\/mobile\//);
    expect(exitCodeFor(await failure.catch((error: unknown) => error))).toBe(6);
    const warning = lines.find(
      (line) => line.msg === 'the phone sent a file larger than it can hold: stopping the backup',
    );
    expect(warning).toMatchObject({ devicePath: expect.stringMatching(/^\/var\/mobile\//), limit: 100_000 });
    await previousBackupIsWhole();
  });

  it("without a cap given, the phone's own capacity (lockdown TotalDiskCapacity) is the cap", async () => {
    const device = emu.emulator.devices[0]!;
    const capacity = device.getValue('com.apple.disk_usage', 'TotalDiskCapacity');
    await backup(1);
    await device.setValue('com.apple.disk_usage', 'TotalDiskCapacity', 150_000);
    try {
      emu.emulator.backup.faults = { oversizeFileBytes: 300_000 };
      await expect(backup(2, { full: true })).rejects.toMatchObject({
        code: 'DEVICELINK_FILE_TOO_LARGE',
        details: { limit: 150_000 },
      });
    } finally {
      await device.setValue('com.apple.disk_usage', 'TotalDiskCapacity', capacity!);
    }
    await previousBackupIsWhole();
  });

  it('a file under the cap but longer than its Manifest.db Size is refused at the commit, naming the file', async () => {
    await backup(1);
    emu.emulator.backup.faults = { oversizeFileBytes: 1_000 };
    const failure = backup(2, { full: true });
    await expect(failure).rejects.toMatchObject({
      code: 'BACKUP_DATA_LARGER_THAN_MANIFEST',
      details: { fileId: expect.stringMatching(/^[0-9a-f]{40}$/), relativePath: expect.any(String) },
    });
    const error = (await failure.catch((e: unknown) => e)) as {
      details: { size: number; manifestSize: number; domain: string; relativePath: string };
      message: string;
    };
    expect(error.details.size - error.details.manifestSize).toBe(1_000);
    expect(error.message).toContain(`${error.details.domain}/${error.details.relativePath}`);
    expect(exitCodeFor(error)).toBe(6);
    await previousBackupIsWhole();
    // An honest phone afterwards backs up as usual.
    emu.emulator.backup.faults = {};
    await backup(2);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(2));
  });

  it('an encrypted backup cannot be checked at the commit (no password); reading the doctored file fails instead of giving extra bytes', async () => {
    const password = 'correct horse';
    await (await BackupEncryption.load(emu.emulator.devices[0]!)).setPassword(password, { iterations: 10, dpic: 10 });
    emu.emulator.backup.faults = { oversizeFileBytes: 32 };
    await backup(1);
    // The reader's own check (its code is the reader's business: a size, padding or truncation error).
    await expect(backupContents(join(out, udid), password)).rejects.toMatchObject({
      code: expect.stringMatching(/^BACKUP_(DATA_TOO_LARGE|BAD_PADDING|TRUNCATED_FILE)$/),
    });
  });

  it.skipIf(!cliBuilt)('through the CLI, the refused backup exits with 6 (bad input) and says which file', async () => {
    await backup(1);
    emu.emulator.backup.faults = { oversizeFileBytes: 1_000 };
    emu.emulator.backup.content = () => folderContent(join(tmp, 'g2'));
    const home = await mkdtemp(join(tmp, 'home-'));
    const result = await runCli(
      ['backup', '--out', out, '--full'],
      { ...emu.env, IOSRESCUE_HOME: home, IOSRESCUE_LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/\[BACKUP_DATA_LARGER_THAN_MANIFEST\]/);
    await previousBackupIsWhole();
  });

  it("the emulator's --oversize-file takes a size", () => {
    expect(emulatorBackupConfig({ content: 'sample', oversizeFile: '300M' }).faults).toEqual({
      oversizeFileBytes: 300 * 1024 * 1024,
    });
    expect(() => emulatorBackupConfig({ content: 'sample', oversizeFile: 'lots' })).toThrow(/--oversize-file/);
  });
});
