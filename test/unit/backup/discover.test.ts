import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBackupRoots, discoverBackups, ownBackupRoot, writeSyntheticBackup } from '../../../src/backup/index.js';
import { listBackups } from '../../../src/operations/list-backups.js';
import { sampleItems, withTempDir } from '../../helpers/backup-fixtures.js';

describe('finding backups', () => {
  it("names the Finder/iTunes folders of each platform and iosrescue's own", () => {
    const mac = defaultBackupRoots({ HOME: '/Users/ann' }, 'darwin');
    expect(mac).toContain('/Users/ann/Library/Application Support/MobileSync/Backup');
    const win = defaultBackupRoots(
      { HOME: 'C:\\Users\\ann', APPDATA: 'C:\\Users\\ann\\AppData\\Roaming', USERPROFILE: 'C:\\Users\\ann' },
      'win32',
    );
    expect(win.some((p) => p.includes('Apple Computer') && p.includes('MobileSync'))).toBe(true);
    expect(win.some((p) => p.startsWith('C:\\Users\\ann') && p.includes(join('Apple', 'MobileSync', 'Backup')))).toBe(
      true,
    );
    expect(ownBackupRoot({ IOSRESCUE_BACKUP_DIR: '/srv/backups' }, 'linux')).toBe('/srv/backups');
    expect(ownBackupRoot({ HOME: '/home/ann' }, 'linux')).toBe('/home/ann/.local/share/iosrescue/backups');
  });

  it('lists each backup under a root with device, iOS version, date, encryption, size and completeness', async () => {
    await withTempDir('iosrescue-discover-', async (root) => {
      await writeSyntheticBackup(join(root, 'AAAA'), {
        items: sampleItems(),
        date: new Date('2025-03-01T08:00:00Z'),
        device: { deviceName: "Ann's iPhone", productVersion: '17.4' },
      });
      await writeSyntheticBackup(join(root, 'BBBB'), {
        items: sampleItems().slice(0, 3),
        password: 'pw',
        keybag: { dpic: 10, iterations: 10 },
        snapshotState: 'uploading',
        date: new Date('2025-04-01T08:00:00Z'),
      });
      await mkdir(join(root, 'not-a-backup'));
      await writeFile(join(root, 'not-a-backup', 'notes.txt'), 'hello');
      const found = await listBackups({ dirs: [root], includeDefaults: false });
      expect(found.map((b) => b.path)).toEqual([join(root, 'BBBB'), join(root, 'AAAA')]);
      const [interrupted, plain] = found;
      expect(plain).toMatchObject({
        deviceName: "Ann's iPhone",
        productType: 'iPhone12,1',
        productVersion: '17.4',
        encrypted: false,
        complete: true,
        manifest: 'db',
        problems: [],
      });
      expect(plain!.date?.toISOString()).toBe('2025-03-01T08:00:00.000Z');
      expect(plain!.sizeBytes).toBeGreaterThan(278_528 + 1_048_576);
      expect(interrupted).toMatchObject({ encrypted: true, complete: false, snapshotState: 'uploading' });
    });
  });

  it('accepts a folder that is itself a backup, and skips folders that do not exist', async () => {
    await withTempDir('iosrescue-discover1-', async (root) => {
      await writeSyntheticBackup(root, { items: [] });
      const found = await discoverBackups({ dirs: [root, join(root, 'missing')], includeDefaults: false });
      expect(found.map((b) => b.path)).toEqual([root]);
    });
  });
});
