import { describe, expect, it } from 'vitest';
import { int32, intOf, uint16, uint32 } from '../../../src/carve/bytes.js';
import { parseRecordHeader, headerAnnounces, serialTypeSize } from '../../../src/carve/record.js';
import {
  contentHash,
  lastContentHash,
  lastFullHash,
  lastTailHash,
  liveRecordHashes,
  recordHashes,
} from '../../../src/carve/record-hash.js';
import { matchingTables, type TableInfo } from '../../../src/carve/schema.js';
import { headerFitsSomeTable, headerTableMask, lastAliasNullMask, shapeIndex } from '../../../src/carve/shape-index.js';
import { xorshift32 } from '../../../src/emulator/content/seeded-random.js';

/** Whole numbers from 0 to 2^32 - 1. */
function integers(seed: number): () => number {
  const next = xorshift32(seed);
  return () => Math.floor(next() * 2 ** 32);
}
import { encodeVarint } from '../../../src/carve/varint.js';

/**
 * The carver's allocation-free fast paths must agree exactly with the plain functions they stand in for: the
 * shape check with "the header announces the payload and some table fits it", the one-pass live fingerprints with
 * recordHashes + contentHash. Checked on random records and on random bytes.
 */

const TABLES: TableInfo[] = [
  {
    name: 'message',
    rootPage: 2,
    columns: ['ROWID', 'guid', 'text', 'date', 'is_from_me', 'attributedBody', 'service'],
    affinities: ['INTEGER', 'TEXT', 'TEXT', 'INTEGER', 'INTEGER', 'BLOB', 'TEXT'],
    notNull: [false, true, false, false, false, false, false],
    rowidAlias: 0,
  },
  {
    name: 'handle',
    rootPage: 3,
    columns: ['ROWID', 'id', 'country'],
    affinities: ['INTEGER', 'TEXT', 'TEXT'],
    notNull: [false, false, false],
    rowidAlias: 0,
  },
  {
    name: 'chat_message_join',
    rootPage: 4,
    columns: ['chat_id', 'message_id', 'message_date'],
    affinities: ['INTEGER', 'INTEGER', 'INTEGER'],
    notNull: [false, false, false],
    rowidAlias: -1,
  },
  {
    name: 'amounts',
    rootPage: 5,
    columns: ['k', 'v'],
    affinities: ['NUMERIC', 'REAL'],
    notNull: [false, true],
    rowidAlias: -1,
  },
];

function randomType(next: () => number): number {
  const r = next() % 16;
  if (r < 10) return r;
  const size = next() % (r < 13 ? 20 : 300);
  return r % 2 === 0 ? 12 + 2 * size : 13 + 2 * size;
}

/** A record (header + body) of `count` random columns, with random value bytes. */
function randomRecord(next: () => number, count: number): Buffer {
  const types = Array.from({ length: count }, () => randomType(next));
  const typeBytes = Buffer.concat(types.map((t) => encodeVarint(t)));
  let headerLength = typeBytes.length + 1;
  if (encodeVarint(headerLength).length > 1) headerLength += encodeVarint(headerLength).length - 1;
  const bodyLength = types.reduce((sum, t) => sum + serialTypeSize(t), 0);
  const body = Buffer.alloc(bodyLength);
  for (let i = 0; i < bodyLength; i += 1) body[i] = next() % 4 === 0 ? 0x20 + (next() % 90) : next() & 0xff;
  return Buffer.concat([encodeVarint(headerLength), typeBytes, body]);
}

describe('the carver fast paths', () => {
  it('headerFitsSomeTable says exactly what headerAnnounces + matchingTables say, on records and on noise', () => {
    const next = integers(7);
    const index = shapeIndex(TABLES);
    const maxColumns = Math.max(...TABLES.map((t) => t.columns.length));
    let fits = 0;
    let checked = 0;
    const check = (buf: Buffer, pos: number, payloadSize: number): void => {
      const header = parseRecordHeader(buf, pos, buf.length, maxColumns);
      const expected =
        headerAnnounces(buf, pos, buf.length, maxColumns, payloadSize) &&
        header !== null &&
        matchingTables(header.types, TABLES).length > 0;
      expect(headerFitsSomeTable(buf, pos, buf.length, payloadSize, index)).toBe(expected);
      checked += 1;
      if (expected) fits += 1;
    };
    for (let i = 0; i < 3000; i += 1) {
      // Records shaped like the tables (so that many fit), and of random column counts.
      const record = randomRecord(
        next,
        i % 3 === 0 ? 1 + (next() % 9) : TABLES[next() % TABLES.length]!.columns.length,
      );
      check(record, 0, record.length);
      check(record, 0, record.length + 1);
    }
    const noise = Buffer.alloc(20000);
    for (let i = 0; i < noise.length; i += 1) noise[i] = next() % 3 === 0 ? next() % 16 : next() & 0xff;
    for (let pos = 0; pos < noise.length - 1; pos += 1) check(noise, pos, 1 + (next() % 600));
    // A serial type past SQLite's size limit (a 9-byte varint) announces no payload at all.
    const absurd = Buffer.concat([Buffer.from([11]), encodeVarint(2 ** 40 + 13), Buffer.from([1])]);
    check(absurd, 0, 12);
    check(absurd, 0, 1);
    // Both outcomes occur, so the comparison says something.
    expect(fits).toBeGreaterThan(100);
    expect(checked - fits).toBeGreaterThan(100);
  });

  it('headerTableMask names exactly the tables matchingTables names, and those whose rowid alias is NULL', () => {
    const next = integers(5);
    const index = shapeIndex(TABLES);
    const maxColumns = 9;
    let parsed = 0;
    let fitting = 0;
    const check = (buf: Buffer, pos: number): void => {
      const header = parseRecordHeader(buf, pos, buf.length, maxColumns);
      const mask = headerTableMask(buf, pos, buf.length, maxColumns, index);
      if (!header) {
        expect(mask).toBe(-1);
        return;
      }
      parsed += 1;
      const names = TABLES.filter((_, t) => mask & (1 << t)).map((t) => t.name);
      expect(names).toEqual(matchingTables(header.types, TABLES).map((t) => t.name));
      const aliasNull = TABLES.filter((_, t) => lastAliasNullMask & (1 << t)).map((t) => t.name);
      expect(aliasNull).toEqual(
        matchingTables(header.types, TABLES)
          .filter((t) => t.rowidAlias >= 0 && header.types[t.rowidAlias] === 0)
          .map((t) => t.name),
      );
      if (names.length > 0) fitting += 1;
    };
    for (let i = 0; i < 3000; i += 1) {
      const record = randomRecord(
        next,
        i % 2 === 0 ? TABLES[next() % TABLES.length]!.columns.length : 1 + (next() % 11),
      );
      // A NULL first column now and then, as a rowid alias holds.
      if (i % 3 === 0 && record[1]! < 0x80) record[1] = 0;
      check(record, 0);
    }
    const noise = Buffer.alloc(20000);
    for (let i = 0; i < noise.length; i += 1) noise[i] = next() % 3 === 0 ? next() % 16 : next() & 0xff;
    for (let pos = 0; pos < noise.length - 1; pos += 1) check(noise, pos);
    expect(parsed).toBeGreaterThan(1000);
    expect(fitting).toBeGreaterThan(300);
  });

  it('reads big-endian integers from bytes exactly as Buffer does', () => {
    const next = integers(13);
    const bytes = Buffer.from(Array.from({ length: 4096 }, () => next() & 0xff));
    for (let at = 0; at + 4 <= bytes.length; at += 1) {
      expect(uint16(bytes, at)).toBe(bytes.readUInt16BE(at));
      expect(uint32(bytes, at)).toBe(bytes.readUInt32BE(at));
      expect(int32(bytes, at)).toBe(bytes.readInt32BE(at));
      for (let n = 1; n <= 4; n += 1) expect(intOf(bytes, at, n)).toBe(bytes.readIntBE(at, n));
    }
  });

  it('beyond 31 tables the index admits any shape and the answer is still the full check', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...TABLES[i % TABLES.length]!, name: `t${i}` }));
    const index = shapeIndex(many);
    const record = randomRecord(integers(3), 3);
    const header = parseRecordHeader(record, 0, record.length, 7)!;
    expect(headerFitsSomeTable(record, 0, record.length, record.length, index)).toBe(
      headerAnnounces(record, 0, record.length, 7, record.length),
    );
    expect(header.types.length).toBe(3);
  });

  it('liveRecordHashes gives the fingerprints recordHashes and contentHash give, and refuses what they would', () => {
    const next = integers(11);
    let withContent = 0;
    for (let i = 0; i < 3000; i += 1) {
      const record = randomRecord(next, 1 + (next() % 12));
      const padded = Buffer.concat([Buffer.from([1, 2, 3]), record, Buffer.from([9, 9])]);
      const header = parseRecordHeader(padded, 3, 3 + record.length, 4096)!;
      expect(header.headerLength + header.bodyLength).toBe(record.length);
      recordHashes(padded, 3 + header.headerLength, header.types);
      const full = lastFullHash;
      const tail = lastTailHash;
      const content = contentHash(padded, 3 + header.headerLength, header.types);
      expect(liveRecordHashes(padded, 3, 3 + record.length, 4096)).toBe(true);
      expect([lastFullHash, lastTailHash, lastContentHash]).toEqual([full, tail, content ?? -1]);
      if (content !== null) withContent += 1;
      // One byte short: the header announces more than the payload holds.
      if (header.bodyLength > 0) expect(liveRecordHashes(padded, 3, 2 + record.length, 4096)).toBe(false);
    }
    expect(withContent).toBeGreaterThan(100);
    // A reserved serial type, and a header longer than the payload.
    expect(liveRecordHashes(Buffer.from([3, 10, 1, 5]), 0, 4, 4096)).toBe(false);
    expect(liveRecordHashes(Buffer.from([9, 1, 1]), 0, 3, 4096)).toBe(false);
  });
});
