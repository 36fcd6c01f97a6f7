/**
 * The cost of `carve --json`'s output alone: the records of one carve, held in memory, turned into the bytes the
 * command writes by CarvedJsonLineEncoder (what writeCarvedJsonLines uses) and, as the peer in the same run, the way
 * it did before: JSON.stringify(carvedRecordToJson(record)) per line, joined into 64 KB strings that the stream
 * turns into UTF-8 bytes (Buffer.from here). The two outputs are checked byte for byte. Median of --rounds,
 * interleaved.
 *
 *   npm run build && node dist/scripts/bench/carve-json-lines.js [--db PATH | --messages 40000] [--rounds 7]
 *
 * Without --db an sms.db-like database is generated (scripts/bench/carve-scale/generate.ts) in a scratch folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CarvedRecord } from '../../src/carve/index.js';
import { carveDatabaseRecords, carvedRecordToJson } from '../../src/operations/carve-database.js';
import { CarvedJsonLineEncoder } from '../../src/carve/index.js';
import { generateSmsDb } from './carve-scale/generate.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    messages: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '7' },
  },
});
const rounds = Number(values.rounds);

/** All records as 64 KB batches of bytes, the way writeCarvedJsonLines writes them now. */
function encodeOurs(records: readonly CarvedRecord[], keep?: Buffer[]): number {
  const encoder = new CarvedJsonLineEncoder(65536);
  let total = 0;
  for (const record of records) {
    encoder.add(record);
    if (encoder.length >= 65536) {
      const batch = encoder.take();
      total += batch.length;
      keep?.push(batch);
    }
  }
  const last = encoder.take();
  keep?.push(last);
  return total + last.length;
}

/** The same, the way it was done before: a string per line, string batches, the stream's UTF-8 copy. */
function encodePeer(records: readonly CarvedRecord[], keep?: Buffer[]): number {
  let total = 0;
  let batch = '';
  const flush = (): void => {
    const bytes = Buffer.from(batch, 'utf8');
    total += bytes.length;
    keep?.push(bytes);
    batch = '';
  };
  for (const record of records) {
    batch += `${JSON.stringify(carvedRecordToJson(record))}\n`;
    if (batch.length >= 65536) flush();
  }
  flush();
  return total;
}

const scratch = values.db ? undefined : mkdtempSync(join(tmpdir(), 'carve-json-lines-'));
try {
  const path =
    values.db ??
    generateSmsDb(scratch!, { messages: Number(values.messages), mode: 'DELETE', seed: 1, pageSize: 4096 }).path;
  const records: CarvedRecord[] = [];
  for await (const record of carveDatabaseRecords(path)) records.push(record);

  const oursBytes: Buffer[] = [];
  const peerBytes: Buffer[] = [];
  encodeOurs(records, oursBytes);
  encodePeer(records, peerBytes);
  if (!Buffer.concat(oursBytes).equals(Buffer.concat(peerBytes)))
    throw new Error('CarvedJsonLineEncoder and carvedRecordToJson disagree');

  const samples = { ours: [] as number[], peer: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, encode] of [
      ['peer', encodePeer],
      ['ours', encodeOurs],
    ] as const) {
      const started = process.hrtime.bigint();
      encode(records);
      samples[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ours = median(samples.ours);
  const before = median(samples.peer);
  const mb = oursBytes.reduce((n, b) => n + b.length, 0) / 1e6;
  console.log(
    `carve --json output: ${records.length} records, ${mb.toFixed(1)} MB of lines, median of ${rounds} rounds, ` +
      `load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const [name, ms] of [
    ['CarvedJsonLineEncoder (ours)', ours],
    ['JSON.stringify(carvedRecordToJson) + UTF-8 (peer)', before],
  ] as const) {
    console.log(
      `  ${name.padEnd(50)} ${ms.toFixed(1).padStart(7)} ms  ${((ms * 1000) / records.length).toFixed(2).padStart(6)} µs/record`,
    );
  }
  console.log(`  ours takes ${(ours / before).toFixed(2)}x the peer's time; output byte-identical`);
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
