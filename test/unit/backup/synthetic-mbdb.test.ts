import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupReader, Keybag, readManifestPlist, writeSyntheticBackup } from '../../../src/backup/index.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';

const items = [
  { domain: 'HomeDomain', relativePath: 'Library/SMS', kind: 'directory' as const },
  { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: Buffer.from('not really sqlite') },
];

describe('generated backups follow the device version', () => {
  it.each([
    { version: '5.1.1', manifest: 'Manifest.mbdb', flat: true, dataProtectionRounds: false },
    { version: '9.3.5', manifest: 'Manifest.mbdb', flat: true, dataProtectionRounds: false },
    { version: '10.1.1', manifest: 'Manifest.db', flat: false, dataProtectionRounds: false },
    { version: '10.3.3', manifest: 'Manifest.db', flat: false, dataProtectionRounds: true },
    { version: '18.1', manifest: 'Manifest.db', flat: false, dataProtectionRounds: true },
  ])('iOS $version: $manifest, flat data files $flat, DPSL/DPIC $dataProtectionRounds', async (era) => {
    await withTempDir('iosrescue-era-', async (dir) => {
      await writeSyntheticBackup(dir, {
        items,
        device: { productVersion: era.version },
        password: 'pw',
        keybag: { iterations: 10, dpic: 10 },
      });
      expect(existsSync(join(dir, era.manifest))).toBe(true);
      const names = await readdir(dir);
      const id = '3d0d7e5fb2ce288813306e4d4636395e047a3d28';
      expect(names.includes(id)).toBe(era.flat);
      expect(names.includes(id.slice(0, 2))).toBe(!era.flat);
      const bag = Keybag.parse((await readManifestPlist(dir))!.backupKeyBag!);
      expect(bag.dpic !== undefined).toBe(era.dataProtectionRounds);
      const reader = await BackupReader.open(dir, { password: 'pw' });
      try {
        expect(reader.manifestKind).toBe(era.flat ? 'mbdb' : 'db');
        const entry = reader.get('HomeDomain', 'Library/SMS/sms.db')!;
        expect((await reader.readSmallFile(entry)).toString()).toBe('not really sqlite');
      } finally {
        await reader.close();
      }
    });
  });
});
