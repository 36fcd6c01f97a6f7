import { describe, expect, it } from 'vitest';
import { encodeMbdb, parseMbdb } from '../../../src/backup/manifest-mbdb.js';

const records = [
  {
    domain: 'HomeDomain',
    relativePath: 'Library/SMS',
    metadata: {
      size: 0,
      mode: 0o40755,
      inode: 1,
      userId: 501,
      groupId: 501,
      lastModified: 1_400_000_000,
      protectionClass: 0,
    },
  },
  {
    domain: 'HomeDomain',
    relativePath: 'Library/SMS/sms.db',
    metadata: {
      size: 4096,
      mode: 0o100644,
      inode: 2,
      userId: 501,
      groupId: 501,
      lastModified: 1_400_000_001,
      lastStatusChange: 1_400_000_002,
      birth: 1_399_000_000,
      protectionClass: 4,
      digest: Buffer.alloc(20, 7),
    },
  },
  {
    domain: 'MediaDomain',
    relativePath: 'Media/link',
    metadata: { size: 0, mode: 0o120755, inode: 3, target: '/var/mobile/Media', protectionClass: 0 },
  },
];

describe('Manifest.mbdb (iOS 5–9)', () => {
  it('reads records back with kinds from the mode, flags as Manifest.db would have them, and file IDs', () => {
    const { entries, problem } = parseMbdb(encodeMbdb(records));
    expect(problem).toBeUndefined();
    expect(entries.map((e) => [e.relativePath, e.kind, e.flags])).toEqual([
      ['Library/SMS', 'directory', 2],
      ['Library/SMS/sms.db', 'file', 1],
      ['Media/link', 'symlink', 4],
    ]);
    expect(entries[1]!.fileId).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
    expect(entries[1]!.metadata).toMatchObject({
      size: 4096,
      protectionClass: 4,
      lastModified: 1_400_000_001,
      lastStatusChange: 1_400_000_002,
      birth: 1_399_000_000,
      digest: Buffer.alloc(20, 7),
    });
    expect(entries[2]!.metadata?.target).toBe('/var/mobile/Media');
  });

  it('reads the three times in the order devices write them: modification, status change, birth', () => {
    // Offsets after domain, path, link target, digest and key of a record with a 20-byte digest and no key.
    const bytes = encodeMbdb([records[1]!]);
    const fixed = 6 + (2 + 10) + (2 + 18) + 2 + (2 + 20) + 2;
    expect([bytes.readUInt32BE(fixed + 18), bytes.readUInt32BE(fixed + 22), bytes.readUInt32BE(fixed + 26)]).toEqual([
      1_400_000_001, 1_400_000_002, 1_399_000_000,
    ]);
  });

  it('keeps the records before a truncation and reports BACKUP_CORRUPT_MANIFEST with the offset', () => {
    const bytes = encodeMbdb(records);
    const { entries, problem } = parseMbdb(bytes.subarray(0, bytes.length - 10));
    expect(entries).toHaveLength(2);
    expect(problem).toMatchObject({ code: 'BACKUP_CORRUPT_MANIFEST' });
  });

  it('refuses a file without the mbdb header', () => {
    expect(() => parseMbdb(Buffer.from('SQLite format 3\0'))).toThrow(
      expect.objectContaining({ code: 'BACKUP_CORRUPT_MANIFEST' }),
    );
  });
});
