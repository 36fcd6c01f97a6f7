import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scoreCategory, totals } from '../../../scripts/bench/nemetz-score.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = resolve(repoRoot, '../shared/corpus/nemetz-sqlite-forensic-corpus-v2');
const present = existsSync(corpus);
if (!present) console.warn(`skipping the Nemetz accuracy test: ${corpus} not found`);

/** Scored row by row against the corpus's XML answer keys (scripts/bench/nemetz-score.ts). */
describe.skipIf(!present)('accuracy on the Nemetz SQLite forensic corpus', () => {
  it('0C deleted records: recall ≥ 0.95 of surviving rows and ≥ 0.90 of all, no live row, phantoms under 2%', async () => {
    const t = totals(await scoreCategory(corpus, '0C'));
    expect(t.deleted).toBe(101);
    expect(t.recoveredSurviving / t.surviving).toBeGreaterThanOrEqual(0.95);
    expect(t.recovered / t.deleted).toBeGreaterThanOrEqual(0.9);
    expect(t.liveReported).toBe(0);
    expect(t.phantoms / t.reported).toBeLessThan(0.02);
  });

  it('0D overwritten records: every row whose bytes survive, no live row', async () => {
    const t = totals(await scoreCategory(corpus, '0D'));
    expect(t.deleted).toBe(45);
    expect(t.surviving).toBeGreaterThan(0);
    expect(t.recoveredSurviving).toBe(t.surviving);
    expect(t.liveReported).toBe(0);
    expect(t.phantoms / Math.max(1, t.reported)).toBeLessThan(0.02);
  });

  it('0E deleted overflow records: at least the 3 surviving ones, no live row', async () => {
    const t = totals(await scoreCategory(corpus, '0E'));
    expect(t.deleted).toBe(12);
    expect(t.recovered).toBeGreaterThanOrEqual(3);
    expect(t.liveReported).toBe(0);
  });

  it('0A/0B dropped tables: their rows count as deleted (the key marks the table, not the rows), and no live row is reported', async () => {
    const dropped = totals([...(await scoreCategory(corpus, '0A')), ...(await scoreCategory(corpus, '0B'))]);
    expect(dropped.deleted).toBe(120);
    expect(dropped.liveReported).toBe(0);
  });

  it('0A dropped tables: every row, attributed to its dropped table through the deleted sqlite_master row', async () => {
    const t = totals(await scoreCategory(corpus, '0A'));
    expect(t.deleted).toBe(100);
    expect(t.recovered).toBeGreaterThanOrEqual(100);
    expect(t.liveReported).toBe(0);
  });

  it('phantoms stay under 2% of everything reported across 0C, 0D and 0E', async () => {
    const all = totals([
      ...(await scoreCategory(corpus, '0C')),
      ...(await scoreCategory(corpus, '0D')),
      ...(await scoreCategory(corpus, '0E')),
    ]);
    expect(all.phantoms / all.reported).toBeLessThan(0.02);
  });
});
