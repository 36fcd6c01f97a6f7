import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackupReader, fileIdFor, Keybag, readManifestPlist } from '../../src/backup/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { BackupEncryption, iosVersionProfile, itemsContent } from '../../src/emulator/index.js';
import { PairRecordStore } from '../../src/lockdown/index.js';
import {
  backupDevice,
  decryptBackup,
  defaultDeviceAccess,
  extractBackup,
  listBackupFiles,
  scanBackup,
} from '../../src/operations/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { capturingLogger } from '../helpers/backup-generations.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * `iosrescue backup` of a virtual iOS 9 phone over the real usbmuxd socket gives what an iOS 5–9 phone gave: a
 * Manifest.mbdb, data files flat in the backup folder and, encrypted, a keybag without DPSL/DPIC and no ManifestKey.
 * scan, extract and decrypt then read it like any other backup.
 */
const IOS = 9;
const PASSWORD = 'old phone';
const content = generateDeviceContent({
  seed: 'mbdb-e2e',
  iosVersion: IOS,
  contacts: 6,
  messages: 12,
  photos: 2,
  calls: 10,
  events: 4,
  visits: 4,
  reminders: 3,
  voicemails: 2,
  bookmarks: 3,
  whatsappMessages: 6,
  voiceMemos: 2,
  ringtones: 1,
  tracks: 2,
  notes: 6,
});
const files = content.items.filter((i) => (i.kind ?? 'file') === 'file' && Buffer.isBuffer(i.data));

let emu: TestEmulator;
let tmp: string;
let udid: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'iosr-mbdb-'));
  const profile = iosVersionProfile(IOS);
  emu = await startTestEmulator({
    devices: 1,
    identity: { productVersion: profile.productVersion, productType: profile.productType },
    backup: { content: async () => itemsContent(content.items), keybag: { iterations: 10, dpic: 10 } },
  });
  udid = emu.udids[0]!;
});
afterAll(async () => {
  await emu.stop();
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  emu.emulator.backup.faults = {};
  await (await BackupEncryption.load(emu.emulator.devices[0]!)).disable();
});

/** `iosrescue backup` into `out` (a new folder by default); the result of the run. */
async function backup(out?: string) {
  const target = out ?? (await mkdtemp(join(tmp, 'out-')));
  const { logger } = capturingLogger();
  const access = defaultDeviceAccess(logger, {
    usbmux: new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) }),
    store: new PairRecordStore(join(tmp, 'store')),
  });
  const result = await backupDevice(access, { out: target, syncFiles: false });
  expect(result.path).toBe(join(target, udid));
  return result;
}

async function pull(): Promise<string> {
  const result = await backup();
  expect(result.full).toBe(true);
  return result.path;
}

/** Every regular file of the phone, read back through BackupReader, is byte for byte what the phone held. */
async function expectPhoneFiles(dir: string, password?: string, phone = files): Promise<void> {
  const reader = await BackupReader.open(dir, password === undefined ? {} : { password });
  try {
    expect(reader.manifestKind).toBe('mbdb');
    let regular = 0;
    for await (const entry of reader.files()) if (entry.kind === 'file') regular++;
    expect(regular).toBe(phone.length);
    for (const item of phone) {
      const entry = reader.get(item.domain, item.relativePath);
      expect(entry, `${item.domain}/${item.relativePath}`).toBeDefined();
      expect((await reader.readSmallFile(entry!)).equals(item.data as Buffer)).toBe(true);
    }
  } finally {
    await reader.close();
  }
}

describe.each([{ encrypted: false }, { encrypted: true }])(
  'an iOS 9 phone (encrypted: $encrypted)',
  ({ encrypted }) => {
    it('backs up as Manifest.mbdb with flat data files, and scan, extract and decrypt read it', async () => {
      if (encrypted)
        await (await BackupEncryption.load(emu.emulator.devices[0]!)).setPassword(PASSWORD, {
          iterations: 10,
          dpic: 10,
        });
      const dir = await pull();
      const names = await readdir(dir);
      expect(names).toContain('Manifest.mbdb');
      expect(names).not.toContain('Manifest.db');
      // iOS 4–9 keep data files directly in the backup folder: no two-letter folders.
      expect(names.filter((n) => /^[0-9a-f]{2}$/.test(n))).toEqual([]);
      expect(names.filter((n) => /^[0-9a-f]{40}$/.test(n)).length).toBe(files.length);
      const manifest = (await readManifestPlist(dir))!;
      expect(manifest.isEncrypted).toBe(encrypted);
      if (encrypted) {
        // A pre-10.2 keybag: SHA-1 rounds only, whatever the emulator's keybag options asked for; no ManifestKey.
        expect(Keybag.parse(manifest.backupKeyBag!)).toMatchObject({ dpic: undefined, dpsl: undefined });
        expect(manifest.manifestKey).toBeUndefined();
        await expect(BackupReader.open(dir)).rejects.toMatchObject({ code: 'BACKUP_PASSWORD_REQUIRED' });
      }
      const password = encrypted ? PASSWORD : undefined;
      await expectPhoneFiles(dir, password);
      // files: every manifest record, the phone's folders included.
      let listed = 0;
      for await (const file of listBackupFiles({ backup: dir, password })) if (file.kind === 'file') listed++;
      expect(listed).toBe(files.length);

      const scan = await scanBackup({ backup: dir, password, types: ['contacts', 'calls', 'messages'] });
      expect(scan).toMatchObject({ manifest: 'mbdb', encrypted, device: { iosVersion: '9.3.5' } });
      expect(scan.types.find((t) => t.type === 'calls')).toMatchObject({
        present: true,
        records: content.truth.calls.length,
      });
      expect(scan.types.find((t) => t.type === 'contacts')).toMatchObject({
        present: true,
        records: content.truth.contacts.length,
      });

      const out = join(tmp, `extract-${encrypted}`);
      const report = await extractBackup({ backup: dir, out, password, types: ['contacts', 'calls'] });
      expect(report.types.map((t) => [t.type, t.status])).toEqual([
        ['contacts', 'ok'],
        ['calls', 'ok'],
      ]);
      const calls = JSON.parse(await readFile(join(out, 'calls/calls.json'), 'utf8')) as Array<{
        origin: string;
        uniqueId: string;
      }>;
      expect(
        calls
          .filter((c) => c.origin === 'live')
          .map((c) => c.uniqueId)
          .sort(),
      ).toEqual(content.truth.calls.map((c) => c.uniqueId).sort());

      // decrypt: a plain mbdb backup (flat files, Manifest.mbdb, IsEncrypted false) that opens without a password.
      const plain = join(tmp, `plain-${encrypted}`);
      const decrypted = await decryptBackup({ backup: dir, out: plain, password });
      expect(decrypted).toMatchObject({ files: files.length, problemCount: 0, wasEncrypted: encrypted });
      expect(existsSync(join(plain, 'Manifest.mbdb'))).toBe(true);
      await expectPhoneFiles(plain);
    });
  },
);

it('a legacy phone sending a file longer than its Manifest.mbdb record says is refused at the commit', async () => {
  emu.emulator.backup.faults = { oversizeFileBytes: 1_000 };
  const failure = pull();
  await expect(failure).rejects.toMatchObject({ code: 'BACKUP_DATA_LARGER_THAN_MANIFEST' });
  const error = (await failure.catch((e: unknown) => e)) as { details: { size: number; manifestSize: number } };
  expect(error.details.size - error.details.manifestSize).toBe(1_000);
});

describe.each([{ encrypted: false }, { encrypted: true }])(
  'the next backup of an iOS 9 phone (encrypted: $encrypted)',
  ({ encrypted }) => {
    it('is incremental: it reads the previous Manifest.mbdb, sends only what changed and removes what is gone', async () => {
      if (encrypted)
        await (await BackupEncryption.load(emu.emulator.devices[0]!)).setPassword(PASSWORD, { iterations: 10 });
      const password = encrypted ? PASSWORD : undefined;
      const out = await mkdtemp(join(tmp, 'incremental-'));
      try {
        const first = await backup(out);
        expect(first.full).toBe(true);
        // The phone changes: one file grows, one is new, one is deleted.
        const [changed, removed] = files;
        const added = { domain: 'HomeDomain', relativePath: 'Library/Preferences/new.plist', data: Buffer.from('new') };
        const now = [
          { ...changed!, data: Buffer.concat([changed!.data as Buffer, Buffer.from('more')]) },
          ...files.slice(2),
          added,
        ];
        emu.emulator.backup.content = async () =>
          itemsContent([...content.items.filter((i) => (i.kind ?? 'file') !== 'file'), ...now]);
        const next = await backup(out);
        // Status.plist twice, Manifest.mbdb and Manifest.plist come with every backup.
        expect(next).toMatchObject({ full: false, files: 2 + 4 });
        await expectPhoneFiles(next.path, password, now);
        const reader = await BackupReader.open(next.path, password === undefined ? {} : { password });
        try {
          expect(reader.get(removed!.domain, removed!.relativePath)).toBeUndefined();
          expect(existsSync(join(next.path, fileIdFor(removed!.domain, removed!.relativePath)))).toBe(false);
        } finally {
          await reader.close();
        }
      } finally {
        emu.emulator.backup.content = async () => itemsContent(content.items);
      }
    });
  },
);
