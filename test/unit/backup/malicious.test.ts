import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupReader, encodeMbFile, fileIdFor, writeSyntheticBackup } from '../../../src/backup/index.js';
import { decryptBackup } from '../../../src/operations/decrypt-backup.js';
import { patternBytes, readAll, withTempDir } from '../../helpers/backup-fixtures.js';

const FAST_KDF = { dpic: 1000, iterations: 100 };
const good = { domain: 'HomeDomain', relativePath: 'Library/Notes/notes.sqlite', data: patternBytes('notes', 10_000) };

/** Every path under `dir`, so a test can show nothing appeared outside the output folder. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }) as string[];
}

describe('malicious and damaged backups', () => {
  it.each(['backup', 'tree'] as const)(
    'never writes outside the output folder (%s layout): "..", absolute and drive paths become BACKUP_PATH_ESCAPE problems',
    async (layout) => {
      await withTempDir('iosrescue-evil-', async (root) => {
        const source = join(root, 'backup');
        const out = join(root, 'out');
        const evil = [
          { domain: 'HomeDomain', relativePath: '../../../escaped.txt', data: Buffer.from('escape 1') },
          { domain: 'HomeDomain', relativePath: '/tmp/iosrescue-absolute.txt', data: Buffer.from('escape 2') },
          { domain: '..', relativePath: 'escaped-domain.txt', data: Buffer.from('escape 3') },
          { domain: 'HomeDomain', relativePath: 'C:\\Windows\\evil.txt', data: Buffer.from('escape 4') },
        ];
        await writeSyntheticBackup(source, { items: [good, ...evil], password: 'pw', keybag: FAST_KDF });
        const before = tree(root).filter((p) => !p.startsWith('out'));
        const result = await decryptBackup({ backup: source, out, password: 'pw', layout });
        expect(tree(root).filter((p) => !p.startsWith('out'))).toEqual(before);
        if (layout === 'tree') {
          expect(result.problems.map((p) => p.code).sort()).toEqual(Array(4).fill('BACKUP_PATH_ESCAPE'));
          expect(readFileSync(join(out, 'HomeDomain', 'Library/Notes/notes.sqlite')).equals(good.data)).toBe(true);
          expect(result.files).toBe(1);
        } else {
          // Written by validated file ID, the hostile paths are harmless data files inside the copy.
          expect(result.problems).toEqual([]);
          expect(result.files).toBe(5);
        }
      });
    },
  );

  it('refuses to write through a symlink planted in the output folder', async () => {
    await withTempDir('iosrescue-plant-', async (root) => {
      const source = join(root, 'backup');
      const out = join(root, 'out');
      await writeSyntheticBackup(source, { items: [good] });
      await mkdir(out);
      await symlink(root, join(out, 'HomeDomain'));
      await expect(decryptBackup({ backup: source, out, layout: 'tree' })).rejects.toMatchObject({
        code: 'BACKUP_OUTPUT_EXISTS',
      });
    });
  });

  it('lists a row whose fileID is not hex, or whose metadata is garbage, with a typed problem and reads the rest', async () => {
    await withTempDir('iosrescue-rows-', async (root) => {
      const source = join(root, 'backup');
      const metadata = encodeMbFile({ relativePath: 'x', size: 4, mode: 0o100644 });
      await writeSyntheticBackup(source, {
        items: [good],
        rawRows: [
          { fileID: '../../../../tmp/owned', domain: 'HomeDomain', relativePath: 'x', flags: 1, file: metadata },
          {
            fileID: fileIdFor('HomeDomain', 'y'),
            domain: 'HomeDomain',
            relativePath: 'y',
            flags: 1,
            file: Buffer.from('not a plist at all'),
          },
          { fileID: fileIdFor('HomeDomain', 'z'), domain: 'HomeDomain', relativePath: 'z', flags: 1, file: null },
        ],
      });
      const result = await decryptBackup({ backup: source, out: join(root, 'out') });
      expect(result.problems.map((p) => [p.relativePath, p.code])).toEqual([
        ['x', 'BACKUP_PATH_ESCAPE'],
        ['y', 'BACKUP_CORRUPT_METADATA'],
        ['z', 'BACKUP_CORRUPT_METADATA'],
      ]);
      expect(result.files).toBe(1);
    });
  });

  it('a huge recorded Size allocates nothing: the real bytes are written and BACKUP_TRUNCATED_FILE reported', async () => {
    await withTempDir('iosrescue-huge-', async (root) => {
      const source = join(root, 'backup');
      const out = join(root, 'out');
      const huge = {
        domain: 'HomeDomain',
        relativePath: 'Library/huge.bin',
        data: patternBytes('huge', 5000),
        recordedSize: 2 ** 52,
      };
      await writeSyntheticBackup(source, { items: [good, huge], password: 'pw', keybag: FAST_KDF });
      const result = await decryptBackup({ backup: source, out, password: 'pw' });
      expect(result.problems.map((p) => [p.relativePath, p.code])).toEqual([
        ['Library/huge.bin', 'BACKUP_TRUNCATED_FILE'],
      ]);
      const id = fileIdFor(huge.domain, huge.relativePath);
      expect(readFileSync(join(out, id.slice(0, 2), id)).equals(huge.data)).toBe(true);
    });
  });

  it('a truncated encrypted data file yields its readable prefix and BACKUP_TRUNCATED_FILE; other files are unaffected', async () => {
    await withTempDir('iosrescue-trunc-', async (root) => {
      const source = join(root, 'backup');
      const cut = {
        domain: 'CameraRollDomain',
        relativePath: 'Media/DCIM/100APPLE/IMG_0002.JPG',
        data: patternBytes('jpg', 100_000),
      };
      await writeSyntheticBackup(source, { items: [good, cut], password: 'pw', keybag: FAST_KDF });
      const id = fileIdFor(cut.domain, cut.relativePath);
      await truncate(join(source, id.slice(0, 2), id), 60_005);
      const reader = await BackupReader.open(source, { password: 'pw' });
      try {
        const stream = await reader.openFile(reader.get(cut.domain, cut.relativePath)!);
        const chunks: Buffer[] = [];
        const failure = await (async () => {
          for await (const chunk of stream) chunks.push(chunk as Buffer);
        })().catch((e: unknown) => e);
        expect(failure).toMatchObject({ code: 'BACKUP_TRUNCATED_FILE' });
        const prefix = Buffer.concat(chunks);
        expect(prefix.length).toBeGreaterThanOrEqual(59_984);
        expect(prefix.equals(cut.data.subarray(0, prefix.length))).toBe(true);
        // Read in one go, the same file fails the same way (no partial file handed out as whole).
        await expect(reader.readSmallFile(reader.get(cut.domain, cut.relativePath)!)).rejects.toMatchObject({
          code: 'BACKUP_TRUNCATED_FILE',
        });
        expect(
          (await readAll(await reader.openFile(reader.get(good.domain, good.relativePath)!))).equals(good.data),
        ).toBe(true);
      } finally {
        await reader.close();
      }
    });
  });

  it('a Manifest.db that is not SQLite fails to open with BACKUP_CORRUPT_MANIFEST', async () => {
    await withTempDir('iosrescue-notdb-', async (root) => {
      await writeSyntheticBackup(root, { items: [good] });
      await writeFile(join(root, 'Manifest.db'), patternBytes('garbage', 8192));
      await expect(BackupReader.open(root)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT_MANIFEST' });
    });
  });

  it('a Manifest.db with a damaged table page: rows before the damage are read and written, then BACKUP_CORRUPT_MANIFEST is reported', async () => {
    await withTempDir('iosrescue-baddb-', async (root) => {
      const source = join(root, 'backup');
      const items = Array.from({ length: 1500 }, (_, i) => ({
        domain: 'HomeDomain',
        relativePath: `Library/Caches/f${i}.bin`,
        data: Buffer.from(`file ${i}`),
      }));
      await writeSyntheticBackup(source, { items });
      const dbPath = join(source, 'Manifest.db');
      const db = readFileSync(dbPath);
      const pageSize = db.readUInt16BE(16);
      // The Files b-tree leaf (page type 0x0D) holding row 700 gets an invalid page type, as a bad sector would.
      let at = -1;
      let page = -1;
      do {
        at = db.indexOf('Library/Caches/f700.bin', at + 1);
        page = Math.floor(at / pageSize);
      } while (at !== -1 && db[page * pageSize] !== 0x0d);
      expect(at).toBeGreaterThan(0);
      db[page * pageSize] = 0xff;
      await writeFile(dbPath, db);
      const result = await decryptBackup({ backup: source, out: join(root, 'out') });
      expect(result.files).toBeGreaterThan(100);
      expect(result.files).toBeLessThan(701);
      expect(result.problems.map((p) => p.code)).toEqual(['BACKUP_CORRUPT_MANIFEST']);
      const id = fileIdFor('HomeDomain', 'Library/Caches/f0.bin');
      expect(readFileSync(join(root, 'out', id.slice(0, 2), id), 'utf8')).toBe('file 0');
    });
  });

  it('an unreadable Info.plist is a recorded problem, not a failure to read the files', async () => {
    await withTempDir('iosrescue-badinfo-', async (root) => {
      await writeSyntheticBackup(root, { items: [good] });
      await writeFile(join(root, 'Info.plist'), 'bplist00 but not really');
      const reader = await BackupReader.open(root);
      try {
        expect(reader.problems.map((p) => p.code)).toEqual(['BACKUP_CORRUPT_PLIST']);
        expect(
          (await readAll(await reader.openFile(reader.get(good.domain, good.relativePath)!))).equals(good.data),
        ).toBe(true);
      } finally {
        await reader.close();
      }
    });
  });

  it('a folder without a manifest is BACKUP_NOT_FOUND', async () => {
    await withTempDir('iosrescue-empty-', async (root) => {
      expect(await readdir(root)).toEqual([]);
      await expect(BackupReader.open(root)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    });
  });
});
