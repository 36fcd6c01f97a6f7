import { openSync, writeSync, closeSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { carveDatabase, type CarveOptions } from '../../../src/carve/index.js';
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
    });
  }

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
