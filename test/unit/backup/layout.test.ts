import { mkdir, mkdtemp, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertFileId,
  dataFileRelativePath,
  fileIdFor,
  safeJoin,
  unsafePathReason,
} from '../../../src/backup/layout.js';

describe('backup layout', () => {
  it('computes file IDs as sha1(domain-relativePath), matching the documented sms.db ID', () => {
    expect(fileIdFor('HomeDomain', 'Library/SMS/sms.db')).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
  });

  it('places data files in two-hex folders (iOS ≥ 10) or flat (older)', () => {
    const id = '3d0d7e5fb2ce288813306e4d4636395e047a3d28';
    expect(dataFileRelativePath(id)).toBe(`3d/${id}`);
    expect(dataFileRelativePath(id, 'flat')).toBe(id);
  });

  it('refuses a file ID that is not 40 hex characters, so a manifest row cannot name ../x', () => {
    expect(() => assertFileId('../../etc/passwd')).toThrow(expect.objectContaining({ code: 'BACKUP_PATH_ESCAPE' }));
    expect(assertFileId('3D0D7E5FB2CE288813306E4D4636395E047A3D28')).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
  });

  it.each([
    ['../etc/passwd'],
    ['Library/../../x'],
    ['/etc/passwd'],
    ['\\\\server\\share'],
    ['C:\\Windows'],
    ['a\\..\\..\\b'],
    ['a\0b'],
    [''],
  ])('names why %j may not be joined', (path) => {
    expect(unsafePathReason(path)).not.toBeNull();
  });

  it('accepts ordinary device paths, dots inside names included', () => {
    expect(unsafePathReason('Library/SMS/sms.db')).toBeNull();
    expect(unsafePathReason('Media/..hidden/a..b')).toBeNull();
  });

  describe('safeJoin', () => {
    let root: string;
    afterAll(async () => rm(root, { recursive: true, force: true }));

    it('joins safe paths under the root and refuses escapes with BACKUP_PATH_ESCAPE', async () => {
      root = await mkdtemp(join(tmpdir(), 'iosrescue-layout-'));
      expect(await safeJoin(root, 'Library/SMS/sms.db')).toBe(join(root, 'Library', 'SMS', 'sms.db'));
      await expect(safeJoin(root, '../outside')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
      await expect(safeJoin(root, '/etc/passwd')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
      await expect(safeJoin(root, '.')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
    });

    it('refuses to write through a symlinked parent folder or onto a symlink', async () => {
      await mkdir(join(root, 'real'), { recursive: true });
      await symlink(tmpdir(), join(root, 'link'));
      await expect(safeJoin(root, 'link/evil.txt')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
      await expect(safeJoin(root, 'link')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPE' });
      expect(await safeJoin(root, 'real/ok.txt')).toBe(join(root, 'real', 'ok.txt'));
    });
  });
});
