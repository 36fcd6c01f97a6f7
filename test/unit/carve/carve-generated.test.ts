import { describe, expect, it } from 'vitest';
import { carveDatabase, type CarvedRecord } from '../../../src/carve/index.js';
import { generateDatabase, physicallyPresent, type GenerateOptions } from './generate.js';

async function carveAll(path: string): Promise<CarvedRecord[]> {
  const records: CarvedRecord[] = [];
  for await (const record of carveDatabase(path)) records.push(record);
  return records;
}

function textsOf(records: CarvedRecord[]): string[] {
  return records
    .filter((r) => r.table === 'message')
    .map((r) => r.values[1])
    .filter((v): v is string => typeof v === 'string');
}

async function check(options: GenerateOptions) {
  const generated = generateDatabase(options);
  const records = await carveAll(generated.path);
  const texts = textsOf(records);
  const present = physicallyPresent(generated);
  const found = texts.filter((t) => generated.deleted.has(t));
  return { generated, records, texts, present, recall: present.size === 0 ? 1 : new Set(found).size / present.size };
}

describe('carving databases written by SQLite', () => {
  for (const pageSize of [1024, 4096, 8192]) {
    it(`recovers deleted rows from freeblocks and reports no live row (rollback journal, ${pageSize}-byte pages)`, async () => {
      const { generated, records, texts, present, recall } = await check({
        pageSize,
        mode: 'delete',
        rows: 300,
        shouldDelete: (n) => n % 7 === 0,
        churn: 10,
      });
      expect(present.size).toBeGreaterThan(20);
      expect(recall).toBeGreaterThanOrEqual(0.9);
      expect(texts.filter((t) => generated.live.has(t))).toEqual([]);
      expect(new Set(records.map((r) => r.source))).toContain('freeblock');
      // Values come back in table order, the rowid alias filled from the cell when the cell kept it.
      const sample = records.find((r) => r.table === 'message' && typeof r.values[1] === 'string')!;
      expect(sample.columns).toEqual(['ROWID', 'text', 'handle_id', 'date', 'is_read']);
      expect(typeof sample.values[2]).toBe('number');
    });
  }

  it('recovers rows from freelist pages when a run of deletes frees whole pages', async () => {
    const { generated, records, texts, recall } = await check({
      pageSize: 1024,
      mode: 'delete',
      rows: 400,
      shouldDelete: (n) => n > 50 && n <= 350,
    });
    expect(records.some((r) => r.source === 'freelist')).toBe(true);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(texts.filter((t) => generated.live.has(t))).toEqual([]);
  });

  it('finds deleted rows in superseded page versions of the WAL, even with secure_delete zeroing freed space', async () => {
    const { generated, records, texts, present, recall } = await check({
      pageSize: 4096,
      mode: 'wal',
      rows: 200,
      shouldDelete: (n) => n % 5 === 0,
      secureDelete: true,
      checkpointBeforeDelete: true,
    });
    expect(present.size).toBe(generated.deleted.size);
    expect(recall).toBe(1);
    expect(records.filter((r) => generated.deleted.has(r.values[1] as string)).every((r) => r.source === 'wal')).toBe(
      true,
    );
    expect(texts.filter((t) => generated.live.has(t))).toEqual([]);
  });

  it('finds rows inserted and deleted within the WAL (older frames of the same page)', async () => {
    const { generated, texts, recall } = await check({
      pageSize: 1024,
      mode: 'wal',
      rows: 120,
      shouldDelete: (n) => n % 4 === 0,
      churn: 5,
      secureDelete: true,
    });
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(texts.filter((t) => generated.live.has(t))).toEqual([]);
  });

  it('reads page images from a persisted rollback journal', async () => {
    const { generated, records, texts, recall } = await check({
      pageSize: 4096,
      mode: 'persist',
      rows: 150,
      shouldDelete: (n) => n % 3 === 0,
      secureDelete: true,
    });
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(records.some((r) => r.source === 'journal')).toBe(true);
    expect(texts.filter((t) => generated.live.has(t))).toEqual([]);
  });

  it('filters by table and reports each row once even when several sources hold it', async () => {
    const generated = generateDatabase({
      pageSize: 1024,
      mode: 'wal',
      rows: 100,
      shouldDelete: (n) => n % 2 === 0,
      churn: 3,
    });
    const all: CarvedRecord[] = [];
    for await (const r of carveDatabase(generated.path, { table: 'MESSAGE' })) all.push(r);
    const texts = textsOf(all);
    expect(all.every((r) => r.table === 'message')).toBe(true);
    expect(texts.length).toBe(new Set(texts).size);
    const none: CarvedRecord[] = [];
    for await (const r of carveDatabase(generated.path, { table: 'no_such_table' })) none.push(r);
    expect(none).toEqual([]);
  });
});
