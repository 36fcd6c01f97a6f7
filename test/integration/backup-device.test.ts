import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WORK_FOLDER, readInfoPlist } from '../../src/backup/index.js';
import { BackupEncryption, folderContent } from '../../src/emulator/index.js';
import { PairRecordStore } from '../../src/lockdown/index.js';
import {
  backupDevice,
  defaultDeviceAccess,
  type BackupProgress,
  type DeviceAccess,
} from '../../src/operations/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { backupContents, capturingLogger, generationContents, writeGeneration } from '../helpers/backup-generations.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * `backupDevice` (what `iosrescue backup` runs) against the virtual iPhone over its real usbmuxd socket: the phone's
 * own notification_proxy, AFC, installation_proxy and mobilebackup2 agent, serving generated phone states and
 * injecting faults. Each test checks the result through BackupReader and, for failures, that the previous backup
 * is still the whole, readable previous backup and that the next run succeeds.
 */
let emu: TestEmulator;
let tmp: string;
let out: string;
let udid: string;
const PASSWORD = 'correct horse';
/** Status.plist twice (uploading, finished), Manifest.db and Manifest.plist come with every backup. */
const BOOKKEEPING_FILES = 4;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'iosr-bkdev-'));
  await writeGeneration(join(tmp, 'g1'), 1);
  await writeGeneration(join(tmp, 'g2'), 2);
  await writeGeneration(join(tmp, 'g3'), 3);
  emu = await startTestEmulator({ devices: 1, backup: { keybag: { iterations: 10, dpic: 10 } } });
  udid = emu.udids[0]!;
});
afterAll(async () => {
  await emu.stop();
  await rm(tmp, { recursive: true, force: true });
});

let storeDir: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmp, 'out-'));
  storeDir = await mkdtemp(join(tmp, 'store-'));
  emu.emulator.backup.faults = {};
  await (await BackupEncryption.load(emu.emulator.devices[0]!)).disable();
});

function access(extra: Partial<DeviceAccess> = {}): DeviceAccess {
  const { logger } = capturingLogger();
  return defaultDeviceAccess(extra.logger ?? logger, {
    usbmux: new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) }),
    store: new PairRecordStore(storeDir),
    ...extra,
  });
}

/** The phone now holds generation `n`. */
function phoneHolds(n: number): void {
  emu.emulator.backup.content = () => folderContent(join(tmp, `g${n}`));
}

async function backup(
  n: number,
  options: {
    full?: boolean;
    extra?: Partial<DeviceAccess>;
    firstMessageTimeoutMs?: number;
    idleTimeoutMs?: number;
  } = {},
) {
  phoneHolds(n);
  const events: BackupProgress[] = [];
  const result = await backupDevice(access(options.extra), {
    out,
    full: options.full,
    onProgress: (e) => events.push(e),
    firstMessageTimeoutMs: options.firstMessageTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    syncFiles: false,
  });
  return { result, events };
}

/** The backup folder holds the phone's backup and nothing else: the empty work folder goes too. */
async function onlyTheBackupIsLeft(): Promise<void> {
  expect(await readdir(out)).toEqual([udid]);
  expect(existsSync(join(out, WORK_FOLDER))).toBe(false);
}

function posted(): string[] {
  return emu.emulator.devices[0]!.notifications.posted;
}

describe('backupDevice against the virtual iPhone', () => {
  it("pulls a full first backup with the sync lock, Info.plist and progress; BackupReader reads the phone's files", async () => {
    posted().length = 0;
    const { result, events } = await backup(1);
    expect(result).toMatchObject({ udid, path: join(out, udid), encrypted: false, full: true });
    expect(result.files).toBe(4 + BOOKKEEPING_FILES);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    expect(posted()).toEqual([
      'com.apple.itunes-mobdev.syncWillStart',
      'com.apple.itunes-mobdev.syncLockRequest',
      'com.apple.itunes-mobdev.syncDidStart',
      'com.apple.itunes-mobdev.syncDidFinish',
    ]);
    const info = await readInfoPlist(join(out, udid));
    expect(info).toMatchObject({
      udid,
      installedApplications: ['net.whatsapp.WhatsApp'],
      productVersion: emu.emulator.devices[0]!.productVersion,
    });
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual([
      'connecting',
      'staging',
      'preparing',
      'waiting-for-phone',
      'transferring',
      'finishing',
      'committing',
      'done',
    ]);
    expect(events.at(-1)!.bytesDone).toBeGreaterThan(0);
    expect(events.at(-1)!.files).toBe(result.files);
    await onlyTheBackupIsLeft();
  });

  it('the next backup is incremental: only changed files travel, and the result holds the new state', async () => {
    await backup(1);
    const { result } = await backup(2);
    expect(result.full).toBe(false);
    // sms.db changed and IMG_0002 is new; the address book, the app's file and IMG_0001 were not sent again.
    expect(result.files).toBe(2 + BOOKKEEPING_FILES);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(2));
    // --full asks for everything again.
    const full = await backup(3, { full: true });
    expect(full.result.full).toBe(true);
    expect(full.result.files).toBe(6 + BOOKKEEPING_FILES);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(3));
  });

  it('an encrypted phone gives an encrypted backup that BackupReader opens with the password; incremental stays encrypted', async () => {
    await (await BackupEncryption.load(emu.emulator.devices[0]!)).setPassword(PASSWORD, { iterations: 10, dpic: 10 });
    const { result } = await backup(1);
    expect(result.encrypted).toBe(true);
    expect(await backupContents(join(out, udid), PASSWORD)).toEqual(await generationContents(1));
    await expect(backupContents(join(out, udid))).rejects.toMatchObject({ code: 'BACKUP_PASSWORD_REQUIRED' });
    const next = await backup(2);
    expect(next.result).toMatchObject({ full: false, files: 2 + BOOKKEEPING_FILES });
    expect(await backupContents(join(out, udid), PASSWORD)).toEqual(await generationContents(2));
  });

  it('a device error (105, no space) is a typed error saying what to do; the previous backup stays whole', async () => {
    await backup(1);
    emu.emulator.backup.faults = { extraBytesNeeded: 2 ** 60 };
    const failure = backup(2);
    await expect(failure).rejects.toMatchObject({ code: 'MB2_DEVICE_105' });
    await expect(failure).rejects.toThrow(/free space/);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    await onlyTheBackupIsLeft();
    emu.emulator.backup.faults = {};
    await backup(2);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(2));
  });

  it('a connection dropped in the middle of a file (cable pulled) leaves the previous backup whole; the next run completes', async () => {
    await backup(1);
    emu.emulator.backup.faults = { failAfterBytes: 30_000 };
    await expect(backup(3, { full: true })).rejects.toMatchObject({
      code: expect.stringMatching(/^(WIRE_CLOSED|WIRE_SOCKET_ERROR|DEVICELINK_)/),
    });
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    await onlyTheBackupIsLeft();
    emu.emulator.backup.faults = {};
    const next = await backup(2);
    expect(next.result.full).toBe(false);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(2));
  });

  it('a cable pulled at any point of the transfer (early, middle, last files, final manifest) keeps the previous backup whole', async () => {
    await backup(1);
    // How many file bytes a full backup of generation 3 puts on the wire, to cut it at fractions of that.
    const reference = await mkdtemp(join(tmp, 'reference-'));
    phoneHolds(3);
    const { bytes: total } = await backupDevice(access(), { out: reference, full: true, syncFiles: false });
    for (const fraction of [0.02, 0.5, 0.9, 0.995]) {
      emu.emulator.backup.faults = { failAfterBytes: Math.floor(total * fraction) };
      await expect(backup(3, { full: true }), `cut at ${fraction}`).rejects.toHaveProperty('code');
      expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
      await onlyTheBackupIsLeft();
    }
    emu.emulator.backup.faults = {};
    await backup(3);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(3));
  });

  it('a phone that never starts sending ends in a timeout error naming what it waited for, not a hang', async () => {
    await backup(1);
    emu.emulator.backup.faults = { stall: 'before-first-message' };
    const failure = backup(2, { firstMessageTimeoutMs: 400 });
    await expect(failure).rejects.toMatchObject({ code: 'MB2_TIMEOUT' });
    await expect(failure).rejects.toThrow(/preparing the backup|passcode/);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
  });

  it('a phone that stops halfway through the upload ends in a timeout error; the previous backup stays whole', async () => {
    await backup(1);
    emu.emulator.backup.faults = { stall: 'mid-upload' };
    const failure = backup(3, { full: true, idleTimeoutMs: 400 });
    await expect(failure).rejects.toMatchObject({ code: expect.stringMatching(/TIMEOUT/) });
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    await onlyTheBackupIsLeft();
  });

  it('shows the passcode prompt while the phone waits for it, and 208 when nobody enters it', async () => {
    emu.emulator.backup.faults = { passcode: { enterAfterMs: 300 } };
    const { events } = await backup(1);
    const phases = events.map((e) => e.phase);
    expect(phases).toContain('passcode');
    expect(phases.indexOf('passcode')).toBeLessThan(phases.indexOf('transferring'));
    expect(events.find((e) => e.phase === 'passcode')!.message).toMatch(/enter the passcode on the phone/);
    emu.emulator.backup.faults = { passcode: { timeoutMs: 300 } };
    const failure = backup(2);
    await expect(failure).rejects.toMatchObject({ code: 'MB2_DEVICE_208' });
    await expect(failure).rejects.toThrow(/passcode/);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
  });

  it('Ctrl-C during the transfer stops the backup and keeps the previous one', async () => {
    await backup(1);
    const controller = new AbortController();
    phoneHolds(2);
    const run = backupDevice(access({ signal: controller.signal }), {
      out,
      syncFiles: false,
      onProgress: (event) => {
        if (event.phase === 'transferring') controller.abort(new Error('interrupted'));
      },
    });
    await expect(run).rejects.toThrow('interrupted');
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    await onlyTheBackupIsLeft();
  });

  it('a cancel that comes while the phone is being found (before the backup listens) still stops it', async () => {
    await backup(1);
    const controller = new AbortController();
    phoneHolds(2);
    const run = backupDevice(access({ signal: controller.signal }), {
      out,
      syncFiles: false,
      onProgress: (event) => {
        // 'connecting' is reported before the operation has a listener on the signal: the daemon's cancel in a
        // job's first milliseconds lands here, and the backup used to run on to the end.
        if (event.phase === 'connecting') controller.abort(new Error('cancelled at once'));
      },
    });
    await expect(run).rejects.toThrow('cancelled at once');
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    await onlyTheBackupIsLeft();
  });

  it('refuses a file the phone sends outside the backup folder, logs it, writes nothing there, and keeps the previous backup', async () => {
    await backup(1);
    const { logger, lines } = capturingLogger();
    emu.emulator.backup.faults = { uploadExtraPath: `${udid}/../../escaped.txt` };
    await expect(backup(2, { extra: { logger } })).rejects.toHaveProperty('code');
    expect(existsSync(join(out, '..', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(tmp, 'escaped.txt'))).toBe(false);
    expect(
      lines.some((line) => line.msg === 'refused a path from the phone' && line.path === `${udid}/../../escaped.txt`),
    ).toBe(true);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
    await onlyTheBackupIsLeft();
  });

  it('retries the AFC sync lock while another host holds it', async () => {
    emu.emulator.backup.faults = { busyLockReplies: 3 };
    const { result } = await backup(1);
    expect(result.full).toBe(true);
    expect(await backupContents(join(out, udid))).toEqual(await generationContents(1));
  });
});
