import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BackupReader,
  BadPasswordError,
  Keybag,
  readManifestPlist,
  SMALL_FILE_BYTES,
  writeSyntheticBackup,
  type SyntheticItem,
} from '../../../src/backup/index.js';
import { decryptBackup } from '../../../src/operations/decrypt-backup.js';
import { readAll, sampleItems, withTempDir } from '../../helpers/backup-fixtures.js';

const FAST_KDF = { dpic: 1000, iterations: 100 };

async function expectSameContents(reader: BackupReader, items: SyntheticItem[]): Promise<void> {
  let listed = 0;
  for await (const _ of reader.files()) listed++;
  expect(listed).toBe(items.length);
  for (const item of items) {
    const entry = reader.get(item.domain, item.relativePath);
    expect(entry, `${item.domain} ${item.relativePath}`).toBeDefined();
    expect(entry!.kind).toBe(item.kind ?? 'file');
    if ((item.kind ?? 'file') === 'file') {
      const data = await readAll(await reader.openFile(entry!));
      expect(data.equals(item.data as Buffer), `${item.relativePath} contents`).toBe(true);
      // The one-go read of small files gives the same bytes; larger ones are refused, to be streamed.
      if (data.length <= SMALL_FILE_BYTES)
        expect((await reader.readSmallFile(entry!)).equals(data), `${item.relativePath} read in one go`).toBe(true);
      else await expect(reader.readSmallFile(entry!)).rejects.toMatchObject({ code: 'BACKUP_FILE_TOO_LARGE' });
      expect(entry!.metadata?.size).toBe((item.data as Buffer).length);
    }
    if (item.kind === 'symlink') expect(entry!.metadata?.target).toBe(item.target);
  }
}

describe('generated backups read back equal', () => {
  it('plain backup: every file, folder and symlink comes back with its contents and metadata', async () => {
    await withTempDir('iosrescue-plain-', async (dir) => {
      const items = sampleItems();
      await writeSyntheticBackup(dir, { items });
      expect(existsSync(join(dir, '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28'))).toBe(true);
      const reader = await BackupReader.open(dir);
      try {
        expect(reader.isEncrypted).toBe(false);
        expect(reader.status?.snapshotState).toBe('finished');
        expect(reader.info?.productType).toBe('iPhone12,1');
        await expectSameContents(reader, items);
      } finally {
        await reader.close();
      }
    });
  });

  it('encrypted backup: files and Manifest.db are ciphertext on disk and decrypt back equal', async () => {
    await withTempDir('iosrescue-enc-', async (dir) => {
      const items = sampleItems();
      await writeSyntheticBackup(dir, { items, password: 'hunter2', keybag: FAST_KDF });
      expect(readFileSync(join(dir, 'Manifest.db')).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
      const sms = readFileSync(join(dir, '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28'));
      expect(sms.length).toBe(278_528 + 16); // PKCS#7 adds a whole block to a multiple of 16
      const manifest = await readManifestPlist(dir);
      expect(manifest?.isEncrypted).toBe(true);
      expect(manifest?.manifestKey?.length).toBe(44);
      expect(Keybag.parse(manifest!.backupKeyBag!).dpic).toBe(1000);
      const reader = await BackupReader.open(dir, { password: 'hunter2' });
      try {
        expect(reader.isEncrypted).toBe(true);
        await expectSameContents(reader, items);
      } finally {
        await reader.close();
      }
    });
  });

  it('a wrong password fails with BadPasswordError before any file is touched', async () => {
    await withTempDir('iosrescue-badpw-', async (dir) => {
      await writeSyntheticBackup(dir, { items: sampleItems(), password: 'hunter2', keybag: FAST_KDF });
      const failure = await BackupReader.open(dir, { password: 'hunter3' }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BadPasswordError);
    });
  });

  it('the key cache lets a second open skip the password, and a cached key never replaces a wrong one', async () => {
    await withTempDir('iosrescue-cache-', async (dir) => {
      await writeSyntheticBackup(dir, { items: sampleItems().slice(0, 3), password: 'pw', keybag: FAST_KDF });
      const store = new Map<string, Buffer>();
      const keyCache = {
        get: async (id: string) => store.get(id),
        set: async (id: string, key: Buffer) => void store.set(id, key),
      };
      await (await BackupReader.open(dir, { password: 'pw', keyCache })).close();
      expect(store.size).toBe(1);
      let asked = 0;
      const reader = await BackupReader.open(dir, { keyCache, password: async () => (asked++, 'unused') });
      expect(asked).toBe(0);
      await reader.close();
      for (const id of store.keys()) store.set(id, Buffer.alloc(32, 1));
      await expect(BackupReader.open(dir, { keyCache, password: 'wrong' })).rejects.toBeInstanceOf(BadPasswordError);
    });
  });

  it('legacy Manifest.mbdb backup (iOS 5–9: flat layout, pre-10.2 keybag) reads back equal, encrypted', async () => {
    await withTempDir('iosrescue-mbdb-', async (dir) => {
      const items = sampleItems();
      await writeSyntheticBackup(dir, { items, format: 'mbdb', password: 'old', keybag: { iterations: 100 } });
      expect(existsSync(join(dir, 'Manifest.mbdb'))).toBe(true);
      expect(existsSync(join(dir, '3d0d7e5fb2ce288813306e4d4636395e047a3d28'))).toBe(true);
      const reader = await BackupReader.open(dir, { password: 'old' });
      try {
        expect(reader.manifestKind).toBe('mbdb');
        await expectSameContents(reader, items);
      } finally {
        await reader.close();
      }
    });
  });

  it('decrypt writes a plain backup that our reader and sqlite3 both read', async () => {
    await withTempDir('iosrescue-decrypt-', async (dir) => {
      const items = sampleItems();
      const source = join(dir, 'encrypted');
      const out = join(dir, 'plain');
      await writeSyntheticBackup(source, { items, password: 'hunter2', keybag: FAST_KDF });
      const result = await decryptBackup({ backup: source, out, password: 'hunter2' });
      expect(result.problems).toEqual([]);
      expect(result.files).toBe(items.filter((i) => (i.kind ?? 'file') === 'file').length);
      const reader = await BackupReader.open(out);
      try {
        expect(reader.isEncrypted).toBe(false);
        await expectSameContents(reader, items);
      } finally {
        await reader.close();
      }
      const rows = execFileSync(
        'sqlite3',
        [
          join(out, 'Manifest.db'),
          "SELECT fileID FROM Files WHERE domain='HomeDomain' AND relativePath='Library/SMS/sms.db'",
        ],
        { encoding: 'utf8' },
      );
      expect(rows.trim()).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
      expect(
        readFileSync(join(out, '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28')).equals(items[2]!.data as Buffer),
      ).toBe(true);
    });
  });
});
