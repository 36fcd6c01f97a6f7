import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UNKNOWN, type CarvedRecord } from '../../../src/carve/index.js';
import {
  carveDatabaseRecords,
  carvedRecordToJson,
  writeCarvedJsonLines,
} from '../../../src/operations/carve-database.js';
import { CarvedJsonLineEncoder } from '../../../src/carve/index.js';
import { generateDatabase } from '../carve/generate.js';

/** One record through the encoder, as text without its newline. */
function encodedLine(record: CarvedRecord): string {
  const encoder = new CarvedJsonLineEncoder(64);
  encoder.add(record);
  const text = encoder.take().toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1);
}

const base: CarvedRecord = { table: 'message', source: 'freeblock', page: 7, offset: 1234, values: [] };

/**
 * One record per value kind and per optional field, with the exact line `iosrescue --json carve` prints for it,
 * written out by hand: a change of key order, number, bigint, blob or unknown encoding fails here.
 */
const PINNED: Array<[string, CarvedRecord, string]> = [
  [
    'NULL, integer, real and text',
    { ...base, values: [null, 42, -7, 0.5, 'hi'] },
    '{"table":"message","source":"freeblock","page":7,"offset":1234,"values":[null,42,-7,0.5,"hi"]}',
  ],
  [
    'an integer beyond 2^53 (a bigint) as a string',
    { ...base, values: [2n ** 60n, -(2n ** 62n)] },
    '{"table":"message","source":"freeblock","page":7,"offset":1234,"values":["1152921504606846976","-4611686018427387904"]}',
  ],
  [
    'non-finite reals as strings, -0 and large reals as JSON writes them',
    { ...base, values: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e21, 1.5e-7] },
    '{"table":"message","source":"freeblock","page":7,"offset":1234,"values":["NaN","Infinity","-Infinity",0,1e+21,1.5e-7]}',
  ],
  [
    'text that needs escaping: quotes, backslash, control characters, a lone surrogate, non-ASCII',
    { ...base, values: ['say "hi"\\\n\t\u0001', '\ud800x', 'café 😀'] },
    '{"table":"message","source":"freeblock","page":7,"offset":1234,"values":["say \\"hi\\"\\\\\\n\\t\\u0001","\\ud800x","café 😀"]}',
  ],
  [
    'a BLOB as base64 and a lost value as unknown',
    { ...base, values: [Buffer.from([0, 1, 2, 250, 251, 252, 253]), Buffer.alloc(0), UNKNOWN] },
    '{"table":"message","source":"freeblock","page":7,"offset":1234,"values":[{"base64":"AAEC+vv8/Q=="},{"base64":""},{"unknown":true}]}',
  ],
  [
    'no table, a numeric rowid',
    { ...base, table: null, source: 'unallocated', values: [1], rowid: 99 },
    '{"table":null,"source":"unallocated","page":7,"offset":1234,"values":[1],"rowid":99}',
  ],
  [
    'a rowid beyond 2^53 as a string, and what was inferred',
    { ...base, source: 'wal', values: [UNKNOWN, 'x'], rowid: 9007199254740993n, inferred: ['rowid', 'ROWID'] },
    '{"table":"message","source":"wal","page":7,"offset":1234,"values":[{"unknown":true},"x"],"rowid":"9007199254740993","inferred":["rowid","ROWID"]}',
  ],
  [
    'a dropped table, its columns left out of the line',
    {
      ...base,
      table: 'old "t"',
      tableDropped: true,
      columns: ['a'],
      source: 'journal',
      values: [3n],
      rowid: 3n,
    },
    '{"table":"old \\"t\\"","tableDropped":true,"source":"journal","page":7,"offset":1234,"values":["3"],"rowid":"3"}',
  ],
  [
    'no values at all',
    { ...base, source: 'freelist', page: 1, offset: 0 },
    '{"table":"message","source":"freelist","page":1,"offset":0,"values":[]}',
  ],
];

describe('carve --json lines', () => {
  for (const [what, record, line] of PINNED) {
    it(`writes the pinned line for ${what}`, () => {
      expect(encodedLine(record)).toBe(line);
    });
    it(`agrees with carvedRecordToJson for ${what}`, () => {
      expect(JSON.stringify(carvedRecordToJson(record))).toBe(line);
    });
  }

  it('grows past its batch size for one large record and starts afresh after take()', () => {
    const big: CarvedRecord = {
      ...base,
      values: [Buffer.alloc(100_000, 0xfe), 'é€😀\u2028'.repeat(20_000), 'x'.repeat(70_000)],
    };
    const records = [...PINNED.map(([, record]) => record), big, ...PINNED.map(([, record]) => record)];
    const encoder = new CarvedJsonLineEncoder(64);
    const chunks: Buffer[] = [];
    for (const record of records) {
      encoder.add(record);
      if (encoder.length >= 64) chunks.push(encoder.take());
    }
    chunks.push(encoder.take());
    expect(encoder.length).toBe(0);
    const expected = records.map((record) => `${JSON.stringify(carvedRecordToJson(record))}\n`).join('');
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });

  it('still writes the records recovered before the carve stops with an error, then passes the error on', async () => {
    const generated = generateDatabase({ pageSize: 1024, mode: 'delete', rows: 300, shouldDelete: (n) => n % 2 === 0 });
    const expected: string[] = [];
    for await (const record of carveDatabaseRecords(generated.path, { workers: 1 }))
      expected.push(JSON.stringify(carvedRecordToJson(record)));
    expect(expected.length).toBeGreaterThan(40);
    // carveDatabaseRecords asks the signal before handing over each record: the 31st ask stops the carve.
    let asks = 0;
    const signal = {
      throwIfAborted() {
        if (++asks > 30) throw new Error('stopped after 30 records');
      },
    } as AbortSignal;
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    await expect(writeCarvedJsonLines(generated.path, { workers: 1, signal }, out)).rejects.toThrow(/after 30/);
    expect(text).toBe(`${expected.slice(0, 30).join('\n')}\n`);
  });

  it('writes, for a real carve, one line per record equal to the JSON of carvedRecordToJson', async () => {
    const generated = generateDatabase({
      pageSize: 1024,
      mode: 'wal',
      rows: 400,
      shouldDelete: (n) => n % 3 === 0,
      churn: 20,
      checkpointBeforeDelete: true,
    });
    const expected: string[] = [];
    for await (const record of carveDatabaseRecords(generated.path, { workers: 1 }))
      expected.push(JSON.stringify(carvedRecordToJson(record)));
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const count = await writeCarvedJsonLines(generated.path, { workers: 1 }, out);
    expect(count).toBeGreaterThan(50);
    expect(count).toBe(expected.length);
    expect(text).toBe(`${expected.join('\n')}\n`);
  });
});
