import { closeSync, copyFileSync, mkdtempSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  carveDatabase,
  carveDatabaseJsonLines,
  type CarveOptions,
  type CarveSummary,
} from '../../../src/carve/index.js';
import { workerScript } from '../../../src/carve/parallel.js';
import { carvedRecordToJson } from '../../../src/operations/carve-database.js';
import { generateDatabase } from './generate.js';

/** The carve as `carve --json` prints it, one line per record, in order. */
async function carveLines(path: string, options: CarveOptions): Promise<string[]> {
  const lines: string[] = [];
  for await (const record of carveDatabase(path, options)) lines.push(JSON.stringify(carvedRecordToJson(record)));
  return lines;
}

describe('carving on worker threads', () => {
  // The worker runs compiled code (dist/, built by `npm run build`, which `npm test` runs first).
  const script = workerScript();

  it('finds the built worker script (npm run build makes dist/src/carve/parallel-worker.js)', () => {
    expect(script, 'dist/src/carve/parallel-worker.js is missing: run npm run build').not.toBeNull();
  });

  for (const mode of ['delete', 'wal'] as const) {
    it(`gives byte-identical output with 1 and 3 workers over many page ranges (${mode === 'wal' ? 'WAL' : 'rollback journal'})`, async () => {
      const generated = generateDatabase({
        pageSize: 1024,
        mode,
        rows: 1500,
        shouldDelete: (n) => n % 5 === 0 || (n > 600 && n < 700),
        churn: 40,
        checkpointBeforeDelete: true,
      });
      const one = await carveLines(generated.path, { workers: 1 });
      // 7 pages per range: dozens of ranges, handed to 3 workers that finish in any order.
      const three = await carveLines(generated.path, { workers: 3, rangePages: 7 });
      expect(one.length).toBeGreaterThan(200);
      expect(three).toEqual(one);
      // The JSON lines the workers write themselves are `carve --json`'s lines, in the same order.
      const written: string[] = [];
      for await (const line of carveDatabaseJsonLines(generated.path, { workers: 3, rangePages: 7 }))
        written.push(line.toString('utf8'));
      expect(written).toEqual(one.map((line) => `${line}\n`));
    });
  }

  it('fingerprints live rows on the workers exactly as this thread does: overflow chains, WAL pages, every row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carve-parallel-'));
    const path = join(dir, 'work.db');
    const db = new Database(path);
    db.pragma('page_size = 1024');
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT, n INTEGER)');
    const insert = db.prepare('INSERT INTO note (body, n) VALUES (?, ?)');
    // Bodies past a 1 KB page's local limit spill to overflow pages; a deleted copy of one must not be taken for live.
    const body = (n: number): string => `note ${n} `.repeat(n % 4 === 0 ? 400 : 6);
    db.transaction(() => {
      for (let n = 1; n <= 900; n += 1) insert.run(body(n), n);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    // After the checkpoint: pages whose current version is a WAL frame (edits, deletes) beside main-file pages.
    db.prepare('UPDATE note SET body = body || ? WHERE n % 7 = 0').run(' (edited)');
    db.prepare('DELETE FROM note WHERE n % 5 = 0').run();
    const evidence = join(dir, 'evidence.db');
    copyFileSync(path, evidence);
    copyFileSync(`${path}-wal`, `${evidence}-wal`);
    const liveCount = (db.prepare('SELECT count(*) AS c FROM note').get() as { c: number }).c;
    db.close();
    const summaries: CarveSummary[] = [];
    const lines = async (options: CarveOptions): Promise<string[]> => {
      const out: string[] = [];
      for await (const record of carveDatabase(evidence, options, (s) => summaries.push(s)))
        out.push(JSON.stringify(carvedRecordToJson(record)));
      return out;
    };
    const one = await lines({ workers: 1 });
    const three = await lines({ workers: 3, rangePages: 9 });
    expect(three).toEqual(one);
    // Every live row counted on both paths: the note rows and sqlite_master's one.
    expect(summaries.map((s) => s.liveRows)).toEqual([liveCount + 1, liveCount + 1]);
    // No live row comes out as recovered, overflowing or not: only deleted ones and superseded versions.
    const recovered = three.map((line) => JSON.parse(line) as { values: unknown[] });
    expect(recovered.length).toBeGreaterThan(0);
    for (const record of recovered) {
      const n = record.values[2];
      if (typeof n === 'number' && typeof record.values[1] === 'string')
        expect(n % 5 === 0 || n % 7 === 0, `live row ${n} reported`).toBe(true);
    }
  });

  it('reports the pages carved in order up to all of them, with one worker thread or three', async () => {
    // Several hundred pages: more than one report's worth (every 256 pages) on this thread too.
    const generated = generateDatabase({
      pageSize: 1024,
      mode: 'delete',
      rows: 6000,
      shouldDelete: (n) => n % 5 === 0,
    });
    for (const options of [{ workers: 1 }, { workers: 3, rangePages: 7 }]) {
      const reports: Array<[number, number]> = [];
      for await (const _ of carveDatabase(generated.path, { ...options, onProgress: (d, t) => reports.push([d, t]) }));
      const total = reports[0]![1];
      expect(total).toBe(Math.floor(statSync(generated.path).size / 1024));
      expect(reports.length).toBeGreaterThan(1);
      expect(reports.every(([, t]) => t === total)).toBe(true);
      for (let i = 1; i < reports.length; i += 1) expect(reports[i]![0]).toBeGreaterThanOrEqual(reports[i - 1]![0]);
      expect(reports.at(-1)).toEqual([total, total]);
    }
  });

  it('ends a damaged file the same way with 1 and 3 workers (pages overwritten with garbage)', async () => {
    const generated = generateDatabase({ pageSize: 1024, mode: 'delete', rows: 800, shouldDelete: (n) => n % 3 === 0 });
    const pages = Math.floor(statSync(generated.path).size / 1024);
    const fd = openSync(generated.path, 'r+');
    let x = 12345;
    for (let page = 3; page <= pages; page += 4) {
      const garbage = Buffer.alloc(1024);
      for (let i = 0; i < garbage.length; i += 1) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        garbage[i] = x >>> 24;
      }
      // Keep the first bytes of some pages (a plausible header over random cells), wipe others whole.
      writeSync(
        fd,
        garbage,
        page % 8 === 3 ? 8 : 0,
        1024 - (page % 8 === 3 ? 8 : 0),
        (page - 1) * 1024 + (page % 8 === 3 ? 8 : 0),
      );
    }
    closeSync(fd);
    const one = await carveLines(generated.path, { workers: 1 });
    const three = await carveLines(generated.path, { workers: 3, rangePages: 5 });
    expect(three).toEqual(one);
  });
});
