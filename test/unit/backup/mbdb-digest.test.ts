import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BackupReader, fileIdFor, writeSyntheticBackup } from '../../../src/backup/index.js';
import { generateDeviceContent } from '../../../src/emulator/content/index.js';
import { CALL_HISTORY as CALLS } from '../../../src/extract/extractors/calls.js';
import { runExtraction } from '../../../src/extract/index.js';
import { decryptBackup } from '../../../src/operations/index.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';

const items = ['a', 'b', 'c'].map((name) => ({
  domain: 'HomeDomain',
  relativePath: `Library/${name}.db`,
  data: Buffer.from(`contents of ${name} `.repeat(50)),
}));

describe("Manifest.mbdb records' SHA-1", () => {
  it('a plain data file whose bytes no longer match its record is reported and still written as found', async () => {
    await withTempDir('iosrescue-mbdb-digest-', async (dir) => {
      const backup = join(dir, 'backup');
      await writeSyntheticBackup(backup, { items, format: 'mbdb' });
      // The same length, one byte changed: only the digest can tell.
      const tampered = join(backup, fileIdFor('HomeDomain', 'Library/b.db'));
      const bytes = await readFile(tampered);
      bytes[10] ^= 0xff;
      await writeFile(tampered, bytes);

      // And one cut short: a plain data file shorter than its Size is otherwise read as it is; its digest tells.
      const cut = join(backup, fileIdFor('HomeDomain', 'Library/c.db'));
      await writeFile(cut, (await readFile(cut)).subarray(0, 100));

      const out = join(dir, 'plain');
      const result = await decryptBackup({ backup, out, layout: 'tree' });
      expect(result).toMatchObject({ files: 3, problemCount: 2, problemCounts: { BACKUP_DIGEST_MISMATCH: 2 } });
      expect(result.problems.map((p) => p.relativePath).sort()).toEqual(['Library/b.db', 'Library/c.db']);
      expect(await readFile(join(out, 'HomeDomain/Library/c.db'))).toHaveLength(100);
      expect((await readFile(join(out, 'HomeDomain/Library/b.db'))).equals(bytes)).toBe(true);
      expect((await readFile(join(out, 'HomeDomain/Library/a.db'))).equals(items[0]!.data)).toBe(true);
    });
  });

  it('an untouched plain mbdb backup and an encrypted one (whose digests are not checked) decrypt without problems', async () => {
    await withTempDir('iosrescue-mbdb-digest-ok-', async (dir) => {
      for (const password of [undefined, 'pw']) {
        const backup = join(dir, `backup-${password ?? 'plain'}`);
        await writeSyntheticBackup(backup, { items, format: 'mbdb', password, keybag: { iterations: 10 } });
        const result = await decryptBackup({ backup, out: join(dir, `out-${password ?? 'plain'}`), password });
        expect(result).toMatchObject({ files: 3, problemCount: 0 });
      }
    });
  });
});

describe("Manifest.mbdb records' SHA-1 during extraction", () => {
  it('a database that no longer matches its record is extracted as found, with a warning naming the mismatch', async () => {
    await withTempDir('iosrescue-mbdb-digest-extract-', async (dir) => {
      const content = generateDeviceContent({ seed: 'mbdb-digest', contacts: 2, messages: 2, photos: 0, calls: 6 });
      const backup = join(dir, 'backup');
      await writeSyntheticBackup(backup, { items: content.items, format: 'mbdb' });
      // Someone edits the call history inside the backup: still a valid database, no longer the phone's bytes.
      const data = join(backup, fileIdFor(CALLS.domain, CALLS.relativePath));
      const before = (await readFile(data)).length;
      const db = new Database(data);
      db.prepare('UPDATE ZCALLRECORD SET ZNAME = ? WHERE Z_PK = (SELECT min(Z_PK) FROM ZCALLRECORD)').run('Tampered');
      db.close();
      expect((await readFile(data)).length).toBe(before);

      const reader = await BackupReader.open(backup);
      const out = join(dir, 'out');
      try {
        const report = await runExtraction(reader, { out, types: ['calls', 'contacts'], tempDir: dir });
        expect(report.types.find((t) => t.type === 'calls')).toMatchObject({
          status: 'ok',
          warnings: [
            expect.stringMatching(/CallHistory\.storedata does not match the SHA-1.*\[BACKUP_DIGEST_MISMATCH\]$/),
          ],
        });
        expect(report.types.find((t) => t.type === 'contacts')?.warnings).toEqual([]);
      } finally {
        await reader.close();
      }
      const calls = JSON.parse(await readFile(join(out, 'calls/calls.json'), 'utf8')) as Array<{ name: string | null }>;
      expect(calls.map((c) => c.name)).toContain('Tampered');
    });
  });
});
