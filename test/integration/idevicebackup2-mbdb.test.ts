import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReader, Keybag, readManifestPlist } from '../../src/backup/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { iosVersionProfile, itemsContent } from '../../src/emulator/index.js';
import { runProgram } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * Debian's unchanged idevicebackup2 backs up a virtual iOS 9 phone: what it saves is a legacy backup (Manifest.mbdb,
 * flat data files, encrypted with a keybag without DPSL/DPIC), and BackupReader reads every file back. The phone side
 * is checked by the reference host, not only by our own client.
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
    'skipping idevicebackup2 mbdb interop tests: install libimobiledevice-utils (npm test does this when run as root)',
  );

const PASSWORD = 'legacy interop';
const content = generateDeviceContent({
  seed: 'ib2-mbdb',
  iosVersion: 9,
  contacts: 4,
  messages: 6,
  photos: 2,
  calls: 5,
  notes: 6,
});
const files = content.items.filter((i) => (i.kind ?? 'file') === 'file' && Buffer.isBuffer(i.data));

let emu: TestEmulator;
let tmp: string;
let udid: string;
let env: NodeJS.ProcessEnv;
const idevicebackup2 = (args: string[]) => runProgram('idevicebackup2', args, env, 120_000);

async function expectPhoneFiles(dir: string, password?: string): Promise<void> {
  const reader = await BackupReader.open(dir, password === undefined ? {} : { password });
  try {
    expect(reader.manifestKind).toBe('mbdb');
    for (const item of files) {
      const entry = reader.get(item.domain, item.relativePath);
      expect(entry, `${item.domain}/${item.relativePath}`).toBeDefined();
      expect((await reader.readSmallFile(entry!)).equals(item.data as Buffer)).toBe(true);
    }
  } finally {
    await reader.close();
  }
}

describe.runIf(tools)('idevicebackup2 against a virtual iOS 9 phone', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'iosr-ib2-mbdb-'));
    const profile = iosVersionProfile(9);
    emu = await startTestEmulator({
      devices: 1,
      identity: { productVersion: profile.productVersion, productType: profile.productType },
      backup: { content: async () => itemsContent(content.items), keybag: { iterations: 10, dpic: 1000 } },
    });
    udid = emu.udids[0]!;
    env = { ...emu.env };
    const paired = await runProgram('idevicepair', ['pair'], env);
    expect(paired.stdout).toContain('SUCCESS');
  });
  afterAll(async () => {
    await emu?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('plain, then encrypted: a Manifest.mbdb backup with flat data files that BackupReader reads whole', async () => {
    for (const password of [undefined, PASSWORD]) {
      if (password !== undefined) {
        const on = await idevicebackup2(['encryption', 'on', password]);
        expect(on.stdout).toContain('Backup encryption has been enabled successfully.');
      }
      const target = join(tmp, password === undefined ? 'plain' : 'encrypted');
      await mkdir(target);
      const run = await idevicebackup2(['backup', '--full', target]);
      expect(run.stdout, run.stderr).toContain('Backup Successful.');
      const dir = join(target, udid);
      const names = await readdir(dir);
      expect(names).toContain('Manifest.mbdb');
      expect(names).not.toContain('Manifest.db');
      expect(names.filter((n) => /^[0-9a-f]{2}$/.test(n))).toEqual([]);
      const manifest = (await readManifestPlist(dir))!;
      expect(manifest.isEncrypted).toBe(password !== undefined);
      if (password !== undefined) expect(Keybag.parse(manifest.backupKeyBag!).dpic).toBeUndefined();
      await expectPhoneFiles(dir, password);
    }
  });
});
