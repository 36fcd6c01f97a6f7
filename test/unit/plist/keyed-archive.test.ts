import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Uid, decodeKeyedArchive, parsePlist, toBinaryPlist, type PlistValue } from '../../../src/plist/index.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'plist');

describe('NSKeyedArchiver decoding', () => {
  it('decodes a real MBFile from an iOS 14.3 Manifest.db generically (fixture from the MVT project)', () => {
    const file = decodeKeyedArchive(parsePlist(readFileSync(join(FIXTURES, 'mbfile-sms-db.bplist')))) as Record<
      string,
      unknown
    >;
    expect(file.$class).toBe('MBFile');
    expect(file.RelativePath).toBe('Library/SMS/sms.db');
    expect(file.Size).toBe(278528);
    expect(file.Mode).toBe(0o100644);
    expect(file.ProtectionClass).toBe(4);
    expect(file.UserID).toBe(501);
    expect(file.LastModified).toBe(1638501497);
    // EncryptionKey is an NSMutableData: 4-byte little-endian class, then the 40-byte wrapped key.
    const key = file.EncryptionKey as Buffer;
    expect(Buffer.isBuffer(key)).toBe(true);
    expect(key.length).toBe(44);
    expect(key.readUInt32LE(0)).toBe(4);
    expect((file.Digest as Buffer).length).toBe(20);
  });

  it('turns Foundation collections, strings and dates into plain values', () => {
    const archive = {
      $archiver: 'NSKeyedArchiver',
      $version: 100000,
      $top: { root: new Uid(1) },
      $objects: [
        '$null',
        { 'NS.keys': [new Uid(2)], 'NS.objects': [new Uid(3)], $class: new Uid(7) },
        'when',
        { 'NS.objects': [new Uid(4), new Uid(5), new Uid(0)], $class: new Uid(8) },
        { 'NS.time': 0, $class: new Uid(9) },
        { 'NS.string': 'text', $class: new Uid(10) },
        'unused',
        { $classname: 'NSMutableDictionary', $classes: ['NSMutableDictionary', 'NSDictionary', 'NSObject'] },
        { $classname: 'NSArray', $classes: ['NSArray', 'NSObject'] },
        { $classname: 'NSDate', $classes: ['NSDate', 'NSObject'] },
        { $classname: 'NSMutableString', $classes: ['NSMutableString', 'NSString', 'NSObject'] },
      ],
    };
    expect(decodeKeyedArchive(parsePlist(toBinaryPlist(archive as PlistValue)))).toEqual({
      when: [new Date('2001-01-01T00:00:00Z'), 'text', null],
    });
  });

  it('refuses an archive whose objects reference themselves', () => {
    const archive = {
      $archiver: 'NSKeyedArchiver',
      $top: { root: new Uid(1) },
      $objects: ['$null', { next: new Uid(1), $class: new Uid(2) }, { $classname: 'Loop' }],
    };
    expect(() => decodeKeyedArchive(archive as PlistValue)).toThrow(expect.objectContaining({ code: 'PLIST_CYCLE' }));
  });

  it('refuses something that is not an archive with a typed error', () => {
    expect(() => decodeKeyedArchive({ hello: 'world' })).toThrow(
      expect.objectContaining({ code: 'PLIST_BAD_ARCHIVE' }),
    );
  });
});
