import { describe, expect, it } from 'vitest';
import { localPayloadSize } from '../../../src/carve/cell.js';
import { decodeValue, parseRecordHeader, serialTypeSize } from '../../../src/carve/record.js';
import { affinityOf, parseCreateTable } from '../../../src/carve/schema.js';
import { encodeVarint, readVarint, readVarintBig, varintLength } from '../../../src/carve/varint.js';

describe('varints', () => {
  it('round-trips lengths 1 to 9 bytes, including the 8-bit ninth byte', () => {
    for (const value of [0, 127, 128, 16383, 16384, 2 ** 21, 2 ** 35 + 3, 2 ** 53 - 1]) {
      const bytes = encodeVarint(value);
      expect(readVarint(bytes, 0, bytes.length)).toBe(value);
      expect(varintLength).toBe(bytes.length);
    }
    const big = encodeVarint(-5n);
    expect(big.length).toBe(9);
    expect(readVarintBig(big, 0, big.length)).toEqual({ value: -5, length: 9 });
    expect(readVarintBig(encodeVarint(2n ** 62n), 0, 9)?.value).toBe(2n ** 62n);
  });

  it('never reads past the end it is given', () => {
    const bytes = Buffer.from([0x81, 0x82, 0x83]);
    expect(readVarint(bytes, 0, 2)).toBe(-1);
    expect(varintLength).toBe(0);
    expect(readVarintBig(bytes, 0, 3)).toBeNull();
  });
});

describe('records', () => {
  it('knows every serial type size and refuses the reserved ones', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(serialTypeSize)).toEqual([0, 1, 2, 3, 4, 6, 8, 8, 0, 0]);
    expect(serialTypeSize(10)).toBe(-1);
    expect(serialTypeSize(11)).toBe(-1);
    expect(serialTypeSize(12 + 2 * 5)).toBe(5);
    expect(serialTypeSize(13 + 2 * 5)).toBe(5);
  });

  it('decodes integers of every width, reals, constants, text and blobs', () => {
    const body = Buffer.from(
      'ff' +
        '8000' +
        '7fffff' +
        'ffffff85' +
        '800000000000' +
        '7fffffffffffffff' +
        '400921fb54442d18' +
        '6869' +
        'beef',
      'hex',
    );
    const types = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13 + 4, 12 + 4];
    const values = [];
    let pos = 0;
    for (const type of types) {
      values.push(decodeValue(body, pos, type, 1));
      pos += serialTypeSize(type);
    }
    expect(values).toEqual([
      -1,
      -32768,
      8388607,
      -123,
      -(2 ** 47),
      2n ** 63n - 1n,
      Math.PI,
      0,
      1,
      'hi',
      Buffer.from('beef', 'hex'),
    ]);
  });

  it('accepts a header only when its serial types end exactly where its length says', () => {
    expect(parseRecordHeader(Buffer.from([4, 1, 0x81, 0x03]), 0, 4, 10)).toEqual({
      types: [1, 131],
      headerLength: 4,
      bodyLength: 60,
    });
    expect(parseRecordHeader(Buffer.from([3, 1, 0x81]), 0, 3, 10)).toBeNull();
    expect(parseRecordHeader(Buffer.from([3, 10, 1]), 0, 3, 10)).toBeNull();
    expect(parseRecordHeader(Buffer.from([200, 1]), 0, 2, 10)).toBeNull();
  });

  it('splits payloads between page and overflow as SQLite does', () => {
    // U = 4096: X = 4061, M = 489; a 5000-byte payload keeps K = 489 + (4511 mod 4092) = 908 bytes.
    expect(localPayloadSize(4061, 4096)).toBe(4061);
    expect(localPayloadSize(5000, 4096)).toBe(908);
    // 16338 bytes: K = 489 + (15849 mod 4092) = 4062 exceeds X, so only M stays local.
    expect(localPayloadSize(4062 + 4092 * 3, 4096)).toBe(489);
  });
});

describe('schema', () => {
  it('parses quoted names, type names with arguments, constraints, and the rowid alias', () => {
    const parsed = parseCreateTable(
      "CREATE TABLE \"a b\" ('id' INTEGER PRIMARY KEY, [na,me] VARCHAR(20, 2) NOT NULL DEFAULT 'x', `when` TIMESTAMP, blob, CONSTRAINT u UNIQUE (blob))",
    )!;
    expect(parsed.columns).toEqual(['id', 'na,me', 'when', 'blob']);
    expect(parsed.declaredTypes.map(affinityOf)).toEqual(['INTEGER', 'TEXT', 'NUMERIC', 'BLOB']);
    expect(parsed.notNull).toEqual([false, true, false, false]);
    expect(parsed.rowidAlias).toBe(0);
    expect(parseCreateTable('CREATE TABLE t (a INT PRIMARY KEY, b)')!.rowidAlias).toBe(-1);
    expect(parseCreateTable('CREATE TABLE t (a INTEGER, b, PRIMARY KEY (a))')!.rowidAlias).toBe(0);
    expect(parseCreateTable('CREATE TABLE t (a INTEGER PRIMARY KEY, b) WITHOUT ROWID')!.withoutRowid).toBe(true);
    expect(parseCreateTable('CREATE VIRTUAL TABLE f USING fts5(x)')).toBeNull();
  });
});
