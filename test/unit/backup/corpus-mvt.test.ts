import { describe, expect, it } from 'vitest';
import { BackupReader, fileIdFor, ManifestDb, type BackupFileEntry } from '../../../src/backup/index.js';
import { parsePlist, isPlistDict } from '../../../src/plist/index.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { join } from 'node:path';
import { copyFile, readdir } from 'node:fs/promises';
import { withTempDir } from '../../helpers/backup-fixtures.js';

const mvt = corpusPath('mvt-ios14-backup');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe.skipIf(mvt === undefined)('real iOS 14.3 backup (mvt-ios14-backup)', () => {
  it('streams all 3,721 Files rows with flags 1/2/4 = 1,089/2,618/14 and decodes every MBFile archive', async () => {
    const db = await ManifestDb.open(join(mvt!, 'Manifest.db'));
    try {
      const flags = new Map<number, number>();
      const kinds = new Map<string, number>();
      let rows = 0;
      let problems = 0;
      let idMismatches = 0;
      for await (const entry of db.files()) {
        rows++;
        flags.set(entry.flags, (flags.get(entry.flags) ?? 0) + 1);
        kinds.set(entry.kind, (kinds.get(entry.kind) ?? 0) + 1);
        if (entry.problem) problems++;
        if (fileIdFor(entry.domain, entry.relativePath) !== entry.fileId) idMismatches++;
      }
      expect(rows).toBe(3721);
      expect(Object.fromEntries(flags)).toEqual({ 1: 1089, 2: 2618, 4: 14 });
      expect(Object.fromEntries(kinds)).toEqual({ file: 1089, directory: 2618, symlink: 14 });
      expect(problems).toBe(0);
      expect(idMismatches).toBe(0);
    } finally {
      db.close();
    }
  });

  it('filters by domain in SQL and by glob on the path', async () => {
    const db = await ManifestDb.open(join(mvt!, 'Manifest.db'));
    try {
      const count = async (filter: Parameters<ManifestDb['files']>[0]): Promise<number> => {
        let n = 0;
        for await (const _ of db.files(filter)) n++;
        return n;
      };
      expect(await count({ domain: 'HomeDomain' })).toBe(571);
      expect(await count({ domain: 'CameraRollDomain' })).toBe(290);
      const sqlite = [];
      for await (const e of db.files({ domain: 'HomeDomain', match: 'Library/SMS/*.db' })) sqlite.push(e.relativePath);
      expect(sqlite).toEqual(['Library/SMS/sms.db']);
    } finally {
      db.close();
    }
  });

  it('gives the metadata of known entries: sms.db, a WhatsApp store, a symlink', async () => {
    const db = await ManifestDb.open(join(mvt!, 'Manifest.db'));
    try {
      const sms = db.get('HomeDomain', 'Library/SMS/sms.db') as BackupFileEntry;
      expect(sms.fileId).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
      expect(sms.metadata).toMatchObject({
        size: 278528,
        mode: 0o100644,
        protectionClass: 4,
        userId: 501,
        groupId: 501,
        lastModified: 1638501497,
        birth: 1566918489,
        relativePath: 'Library/SMS/sms.db',
      });
      expect(sms.metadata?.encryptionKey?.length).toBe(44);
      expect(sms.metadata?.digest?.length).toBe(20);
      const chat = db.get('AppDomainGroup-group.net.whatsapp.WhatsApp.shared', 'ChatStorage.sqlite');
      expect(chat?.metadata).toMatchObject({ size: 344064, protectionClass: 4, lastModified: 1610922261 });
      const link = db.get('DatabaseDomain', 'timezone/localtime');
      expect(link?.kind).toBe('symlink');
      expect(link?.metadata).toMatchObject({
        size: 0,
        mode: 0o120755,
        target: '/var/db/timezone/zoneinfo/Europe/London',
      });
      expect(db.get('HomeDomain', 'no/such/file')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('opens as a plain backup without Manifest.plist and reads a data file as stored', async () => {
    const reader = await BackupReader.open(mvt!);
    try {
      expect(reader.isEncrypted).toBe(false);
      expect(reader.info).toMatchObject({ productType: 'iPhone9,3', productVersion: '14.3', buildVersion: '18C66' });
      const prefs = reader.get('HomeDomain', 'Library/Preferences/.GlobalPreferences.plist')!;
      // MVT replaced this file by hand after the backup: 727 bytes on disk where the manifest recorded 633. A data
      // file larger than its manifest entry is refused (a backup is untrusted input), with a code that says so.
      await expect(reader.openFile(prefs)).rejects.toMatchObject({
        code: 'BACKUP_DATA_TOO_LARGE',
        details: { size: 727, maxBytes: 633 },
      });
      const info = reader.get('HomeDomain', 'Library/Preferences/com.apple.preferences.datetime.plist');
      if (info !== undefined && reader.unreadableReason(info) === undefined)
        expect(isPlistDict(parsePlist(await readAll(await reader.openFile(info))))).toBe(true);
      const absent = reader.get('HomeDomain', 'Library/AddressBook/AddressBook.sqlitedb')!;
      await expect(reader.openFile(absent)).rejects.toMatchObject({ code: 'BACKUP_MISSING_DATA' });
      await expect(reader.openFile(reader.get('DatabaseDomain', 'timezone/localtime')!)).rejects.toMatchObject({
        code: 'BACKUP_NOT_A_FILE',
      });
    } finally {
      await reader.close();
    }
  });

  it('reads its WAL-mode Manifest.db without creating -shm/-wal files beside it', async () => {
    await withTempDir('iosrescue-wal-', async (dir) => {
      await copyFile(join(mvt!, 'Manifest.db'), join(dir, 'Manifest.db'));
      const db = await ManifestDb.open(join(dir, 'Manifest.db'));
      try {
        expect(db.countByFlags().get(1)).toBe(1089);
      } finally {
        db.close();
      }
      expect(await readdir(dir)).toEqual(['Manifest.db']);
    });
  });
});
