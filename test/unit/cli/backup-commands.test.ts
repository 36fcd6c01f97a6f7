import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileIdFor, writeSyntheticBackup } from '../../../src/backup/index.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { sampleItems, withTempDir } from '../../helpers/backup-fixtures.js';

const run = runCliInProcess;

const FAST_KDF = { dpic: 1000, iterations: 100 };

describe('backup commands', () => {
  afterEach(() => {
    delete process.env.IOSRESCUE_TEST_PW;
  });

  it('backups --dir --json lists a generated backup with its device facts', async () => {
    await withTempDir('iosrescue-cli-', async (root) => {
      await writeSyntheticBackup(join(root, 'UDID1'), { items: sampleItems(), password: 'pw', keybag: FAST_KDF });
      const { stdout, status } = await run(['--json', 'backups', '--dir', root, '--no-defaults']);
      expect(status).toBe(0);
      const list = JSON.parse(stdout) as Array<Record<string, unknown>>;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        path: join(root, 'UDID1'),
        encrypted: true,
        complete: true,
        productType: 'iPhone12,1',
      });
    });
  });

  it('files --match --json streams the matching rows of an encrypted backup (password from --password-env)', async () => {
    await withTempDir('iosrescue-cli-', async (root) => {
      await writeSyntheticBackup(root, { items: sampleItems(), password: 'pw', keybag: FAST_KDF });
      process.env.IOSRESCUE_TEST_PW = 'pw';
      const { stdout, status } = await run([
        '--json',
        'files',
        root,
        '--match',
        '*.db',
        '--password-env',
        'IOSRESCUE_TEST_PW',
      ]);
      expect(status).toBe(0);
      const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
      expect(rows.map((r) => r.relativePath)).toEqual(['Library/SMS/sms.db']);
      expect(rows[0]).toMatchObject({
        domain: 'HomeDomain',
        kind: 'file',
        size: 278_528,
        protectionClass: 4,
        mode: '0100644',
      });
    });
  });

  it('export-file writes one decrypted file; decrypt writes a plain copy; both with the password from a file', async () => {
    await withTempDir('iosrescue-cli-', async (root) => {
      const backup = join(root, 'backup');
      const items = sampleItems();
      await writeSyntheticBackup(backup, { items, password: 'pw', keybag: FAST_KDF });
      const pwFile = join(root, 'pw.txt');
      await import('node:fs/promises').then((fs) => fs.writeFile(pwFile, 'pw\n'));
      const exported = await run([
        'export-file',
        backup,
        'HomeDomain',
        'Library/SMS/sms.db',
        '--out',
        join(root, 'sms.db'),
        '--password-file',
        pwFile,
      ]);
      expect(exported.status).toBe(0);
      expect(readFileSync(join(root, 'sms.db')).equals(items[2]!.data as Buffer)).toBe(true);
      const decrypted = await run(['decrypt', backup, '--out', join(root, 'plain'), '--password-file', pwFile]);
      expect(decrypted.status).toBe(0);
      expect(decrypted.stdout).toMatch(/^Wrote 6 files/);
      const id = fileIdFor('CameraRollDomain', 'Media/DCIM/100APPLE/IMG_0001.HEIC');
      expect(readFileSync(join(root, 'plain', id.slice(0, 2), id)).equals(items[5]!.data as Buffer)).toBe(true);
    });
  });

  it('a wrong password exits with status 7 and a one-line reason carrying BACKUP_BAD_PASSWORD', async () => {
    await withTempDir('iosrescue-cli-', async (root) => {
      await writeSyntheticBackup(root, { items: sampleItems(), password: 'pw', keybag: FAST_KDF });
      process.env.IOSRESCUE_TEST_PW = 'not it';
      const { stderr, status } = await run([
        'decrypt',
        root,
        '--out',
        join(root, 'out'),
        '--password-env',
        'IOSRESCUE_TEST_PW',
      ]);
      expect(status).toBe(7);
      expect(stderr).toMatch(/wrong backup password.*\[BACKUP_BAD_PASSWORD\]/);
      expect(stderr).not.toContain('not it');
      expect(existsSync(join(root, 'out', 'Manifest.db'))).toBe(false);
    });
  });
});
