import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BadPasswordError } from '../../../src/backup/errors.js';
import { Keybag } from '../../../src/backup/keybag.js';
import { buildBackupKeybag } from '../../../src/backup/keybag-builder.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sample = resolve(repoRoot, '../shared/corpus/pyiosbackup-synthetic-encrypted/keybag_before_10_2.bin');
const haveSample = existsSync(sample);
if (!haveSample)
  console.log(
    `skipping the pre-10.2 keybag sample test: ${sample} is absent (the shared corpus is not in a user's clone)`,
  );

function tlv(tag: string, value: Buffer | number): Buffer {
  const body =
    typeof value === 'number'
      ? Buffer.from([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255])
      : value;
  const header = Buffer.alloc(8);
  header.write(tag, 0, 'latin1');
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('backup keybag', () => {
  it.skipIf(!haveSample)(
    'unlocks the pre-iOS-10.2 sample bag (SALT/ITER only) with password 0000 into its 11 all-zero class keys',
    async () => {
      const bag = Keybag.parse(readFileSync(sample));
      expect(bag.dpic).toBeUndefined();
      expect(bag.iterations).toBe(10_000);
      expect(bag.classKeys.map((k) => k.protectionClass).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16,
      ]);
      const unlocked = await bag.unlock('0000');
      expect(unlocked.classKeys.size).toBe(11);
      for (const key of unlocked.classKeys.values()) expect(key.equals(Buffer.alloc(32))).toBe(true);
    },
  );

  it.skipIf(!haveSample)(
    'rejects a wrong password for the sample bag with BadPasswordError (BACKUP_BAD_PASSWORD)',
    async () => {
      const bag = Keybag.parse(readFileSync(sample));
      const failure = await bag.unlock('1234').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BadPasswordError);
      expect(failure).toMatchObject({ code: 'BACKUP_BAD_PASSWORD' });
    },
  );

  it('round-trips a bag it built with both PBKDF2 steps: same class keys back, wrong password refused', async () => {
    const { bytes, unlocked } = await buildBackupKeybag('correct horse', { dpic: 1000, iterations: 100 });
    const bag = Keybag.parse(bytes);
    expect(bag.dpic).toBe(1000);
    expect(bag.dpsl?.length).toBe(20);
    expect(bag.salt.length).toBe(20);
    const again = await bag.unlock('correct horse');
    expect([...again.classKeys.keys()]).toEqual([...unlocked.classKeys.keys()]);
    for (const [cls, key] of unlocked.classKeys) expect(again.classKey(cls).equals(key)).toBe(true);
    await expect(bag.unlock('correct horsf')).rejects.toMatchObject({ code: 'BACKUP_BAD_PASSWORD' });
  });

  it('unlocks with a cached derived key and refuses a key of another bag', async () => {
    const { bytes, unlocked } = await buildBackupKeybag('pw', { dpic: 10, iterations: 10 });
    const bag = Keybag.parse(bytes);
    expect(bag.unlockWithKey(unlocked.passwordKey).classKey(3).equals(unlocked.classKey(3))).toBe(true);
    expect(() => bag.unlockWithKey(Buffer.alloc(32, 9))).toThrow(BadPasswordError);
  });

  it('refuses malformed bags with BACKUP_CORRUPT_KEYBAG instead of reading past the end or hanging', () => {
    const good = Buffer.concat([
      tlv('VERS', 4),
      tlv('TYPE', 1),
      tlv('UUID', Buffer.alloc(16)),
      tlv('SALT', Buffer.alloc(20)),
      tlv('ITER', 10),
    ]);
    const classRecord = Buffer.concat([
      tlv('UUID', Buffer.alloc(16, 1)),
      tlv('CLAS', 3),
      tlv('WRAP', 2),
      tlv('KTYP', 0),
      tlv('WPKY', Buffer.alloc(40)),
    ]);
    expect(Keybag.parse(Buffer.concat([good, classRecord])).classKeys).toHaveLength(1);
    const truncated = Buffer.concat([good, classRecord]).subarray(0, good.length + 30);
    expect(() => Keybag.parse(truncated)).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT_KEYBAG' }));
    const lying = Buffer.concat([good, tlv('WPKY', Buffer.alloc(4))]);
    lying.writeUInt32BE(0xffffffff, good.length + 4);
    expect(() => Keybag.parse(lying)).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT_KEYBAG' }));
    const slow = Buffer.concat([
      tlv('UUID', Buffer.alloc(16)),
      tlv('SALT', Buffer.alloc(20)),
      tlv('ITER', 10),
      tlv('DPIC', 0xffffffff),
      tlv('DPSL', Buffer.alloc(20)),
      classRecord,
    ]);
    expect(() => Keybag.parse(slow)).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT_KEYBAG' }));
    expect(() => Keybag.parse(good)).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT_KEYBAG' }));
  });
});
