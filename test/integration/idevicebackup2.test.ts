import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReader, patternBytes } from '../../src/backup/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { itemsContent } from '../../src/emulator/index.js';
import { backupContents } from '../helpers/backup-generations.js';
import { cliBuilt, runCli, runProgram } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * The proof that the emulator's mobilebackup2 is the real protocol and that `iosrescue backup` produces what the
 * reference host does: Debian's unchanged idevicebackup2 backs up the virtual iPhone (plain, encrypted, then
 * incremental), and `iosrescue backup` of the same content gives the same Manifest rows and the same file
 * contents. Encrypted backups from both decrypt with BackupReader.
 */
function haveTool(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tools = haveTool('idevicebackup2') && haveTool('idevicepair');
if (!tools)
  console.warn(
    'skipping idevicebackup2 interop tests: install libimobiledevice-utils (npm test does this when run as root)',
  );
if (!cliBuilt) console.warn('skipping idevicebackup2 interop tests: the CLI is not built (npm test builds it)');

const PASSWORD = 'interop pass 1';
const { items: sampleItems } = generateDeviceContent({ seed: 'interop' });
const extraPhoto = {
  domain: 'CameraRollDomain',
  relativePath: 'Media/DCIM/100APPLE/IMG_9001.HEIC',
  data: patternBytes('new photo', 150_000),
};

let emu: TestEmulator;
let tmp: string;
let udid: string;
let env: NodeJS.ProcessEnv;

/** domain/path/flags of every Manifest.db row, sorted: what a backup lists. */
function manifestRows(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (
      db.prepare('SELECT domain, relativePath, flags FROM Files').all() as Array<{
        domain: string;
        relativePath: string;
        flags: number;
      }>
    )
      .map((row) => `${row.flags} ${row.domain}/${row.relativePath}`)
      .sort();
  } finally {
    db.close();
  }
}

/** The rows of a backup's Manifest.db, decrypting it first when it is encrypted. */
async function rowsOf(dir: string, password?: string): Promise<string[]> {
  const reader = await BackupReader.open(dir, password === undefined ? {} : { password });
  try {
    const rows: string[] = [];
    for await (const entry of reader.files())
      rows.push(
        `${entry.kind === 'file' ? 1 : entry.kind === 'directory' ? 2 : 4} ${entry.domain}/${entry.relativePath}`,
      );
    return rows.sort();
  } finally {
    await reader.close();
  }
}

/** What the phone holds: domain/path → SHA-256, straight from the content the emulator serves. */
function phoneFiles(items: typeof sampleItems): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    if ((item.kind ?? 'file') !== 'file' || !Buffer.isBuffer(item.data)) continue;
    out.set(`${item.domain}/${item.relativePath}`, createHash('sha256').update(item.data).digest('hex'));
  }
  return out;
}

const idevicebackup2 = (args: string[]) => runProgram('idevicebackup2', args, env, 120_000);
const iosrescue = (args: string[]) => runCli(['--log-level', 'warn', ...args], env, 120_000);

describe.runIf(tools && cliBuilt)(
  'idevicebackup2 (Debian, unchanged) against the virtual iPhone, and iosrescue backup beside it',
  () => {
    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'iosr-ib2-'));
      emu = await startTestEmulator({
        devices: 1,
        backup: { content: async () => itemsContent(sampleItems), keybag: { iterations: 10, dpic: 1000 } },
      });
      udid = emu.udids[0]!;
      env = { ...emu.env, IOSRESCUE_HOME: join(tmp, 'home'), IOSRESCUE_TEST_PW: PASSWORD };
      const paired = await runProgram('idevicepair', ['pair'], env);
      expect(paired.stdout).toContain('SUCCESS');
    });
    afterAll(async () => {
      await emu?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('plain: both make a full backup with the same rows and the same file contents as the phone holds', async () => {
      const theirs = join(tmp, 'plain-ib2');
      const ours = join(tmp, 'plain-ours');
      await mkdir(theirs);
      const run = await idevicebackup2(['backup', '--full', theirs]);
      expect(run.stdout).toContain('Backup Successful.');
      expect(run.code).toBe(0);
      const mine = await iosrescue(['backup', '--out', ours, '--full', '--json']);
      expect(mine.code, mine.stderr).toBe(0);
      expect(JSON.parse(mine.stdout.trim().split('\n').at(-1)!)).toMatchObject({
        event: 'result',
        udid,
        full: true,
        encrypted: false,
      });

      const rows = manifestRows(join(theirs, udid, 'Manifest.db'));
      expect(rows.length).toBeGreaterThan(10);
      expect(manifestRows(join(ours, udid, 'Manifest.db'))).toEqual(rows);
      const theirFiles = await backupContents(join(theirs, udid));
      expect(theirFiles).toEqual(phoneFiles(sampleItems));
      expect(await backupContents(join(ours, udid))).toEqual(theirFiles);
    });

    it('encrypted: "encryption on" through idevicebackup2, then both backups decrypt with the password to the same contents; an incremental run sends only the change', async () => {
      const on = await idevicebackup2(['encryption', 'on', PASSWORD]);
      expect(on.stdout).toContain('Backup encryption has been enabled successfully.');
      const status = await iosrescue(['encryption', 'status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ udid, encrypted: true });

      const theirs = join(tmp, 'enc-ib2');
      const ours = join(tmp, 'enc-ours');
      await mkdir(theirs);
      const run = await idevicebackup2(['backup', '--full', theirs]);
      expect(run.stdout).toContain('Backup Successful.');
      const mine = await iosrescue(['backup', '--out', ours, '--json']);
      expect(mine.code, mine.stderr).toBe(0);
      expect(JSON.parse(mine.stdout.trim().split('\n').at(-1)!)).toMatchObject({
        event: 'result',
        encrypted: true,
        full: true,
      });

      const expected = phoneFiles(sampleItems);
      expect(await backupContents(join(theirs, udid), PASSWORD)).toEqual(expected);
      expect(await backupContents(join(ours, udid), PASSWORD)).toEqual(expected);
      expect(await rowsOf(join(ours, udid), PASSWORD)).toEqual(await rowsOf(join(theirs, udid), PASSWORD));
      await expect(BackupReader.open(join(theirs, udid), { password: 'not it' })).rejects.toMatchObject({
        code: 'BACKUP_BAD_PASSWORD',
      });

      // The phone takes a new photo; the next runs are incremental and carry just that file.
      emu.emulator.backup.content = async () => itemsContent([...sampleItems, extraPhoto]);
      const again = await idevicebackup2(['backup', theirs]);
      expect(again.stdout).toContain('Incremental backup mode.');
      expect(again.stdout).toContain('Received 5 files from device.');
      expect(again.stdout).toContain('Backup Successful.');
      const mineAgain = await iosrescue(['backup', '--out', ours, '--json']);
      expect(JSON.parse(mineAgain.stdout.trim().split('\n').at(-1)!)).toMatchObject({
        event: 'result',
        full: false,
        files: 5,
      });
      const withPhoto = phoneFiles([...sampleItems, extraPhoto]);
      expect(await backupContents(join(theirs, udid), PASSWORD)).toEqual(withPhoto);
      expect(await backupContents(join(ours, udid), PASSWORD)).toEqual(withPhoto);
      emu.emulator.backup.content = async () => itemsContent(sampleItems);
    });

    it('a wrong old password is refused with 207 by both tools; "encryption off" with the right one turns it off', async () => {
      const wrong = await idevicebackup2(['changepw', 'wrong password', 'new one']);
      expect(wrong.stdout).toContain('ErrorCode 207: Invalid password');
      const mine = await runCli(
        ['encryption', 'off', '--password-env', 'WRONG_PW'],
        { ...env, WRONG_PW: 'wrong password' },
        60_000,
      );
      expect(mine.code).toBe(7);
      expect(mine.stderr).toMatch(/password is wrong/);
      const off = await iosrescue(['encryption', 'off', '--password-env', 'IOSRESCUE_TEST_PW', '--json']);
      expect(off.code, off.stderr).toBe(0);
      expect(JSON.parse(off.stdout)).toMatchObject({ encrypted: false });
      const info = await runProgram('ideviceinfo', ['-q', 'com.apple.mobile.backup', '-k', 'WillEncrypt'], env);
      expect(info.stdout.trim()).toBe('false');
    });

    it('iosrescue encryption on, change and off; idevicebackup2 sees each state, and backups decrypt with the current password', async () => {
      const pw = { ...env, FIRST_PW: 'first one', SECOND_PW: 'second one' };
      const on = await runCli(['encryption', 'on', '--password-env', 'FIRST_PW', '--json'], pw, 60_000);
      expect(on.code, on.stderr).toBe(0);
      const again = await idevicebackup2(['encryption', 'on', 'whatever']);
      expect(again.stdout).toMatch(/already enabled/i);
      const changed = await runCli(
        ['encryption', 'change', '--password-env', 'FIRST_PW', '--new-password-env', 'SECOND_PW', '--json'],
        pw,
        60_000,
      );
      expect(changed.code, changed.stderr).toBe(0);
      const theirs = join(tmp, 'changed-ib2');
      await mkdir(theirs);
      expect((await idevicebackup2(['backup', '--full', theirs])).stdout).toContain('Backup Successful.');
      expect(await backupContents(join(theirs, udid), 'second one')).toEqual(phoneFiles(sampleItems));
      await expect(BackupReader.open(join(theirs, udid), { password: 'first one' })).rejects.toMatchObject({
        code: 'BACKUP_BAD_PASSWORD',
      });
      const off = await runCli(['encryption', 'off', '--password-env', 'SECOND_PW'], pw, 60_000);
      expect(off.code, off.stderr).toBe(0);
      expect(
        (await runProgram('ideviceinfo', ['-q', 'com.apple.mobile.backup', '-k', 'WillEncrypt'], env)).stdout.trim(),
      ).toBe('false');
    });
  },
);
