import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VisitRecord } from '../../../src/extract/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

describe.each([{ encrypted: false }, { encrypted: true }])(
  'Safari history (encrypted: $encrypted)',
  ({ encrypted }) => {
    it('lists every visit with URL, title and time; cleared visits the carver finds follow, marked', async () => {
      const run = await extractGenerated({
        encrypted,
        spec: { seed: `safari-${encrypted}`, contacts: 3, messages: 5, photos: 0, calls: 0, visits: 40 },
      });
      try {
        const visits = JSON.parse(await readFile(join(run.out, 'safari/history.json'), 'utf8')) as VisitRecord[];
        // The type's records are the visits and the bookmarks (safari-bookmarks.test.ts checks those).
        const bookmarks = JSON.parse(await readFile(join(run.out, 'safari/bookmarks.json'), 'utf8')) as unknown[];
        expect(run.report.types.find((t) => t.type === 'safari')).toMatchObject({
          status: 'ok',
          records: visits.length + bookmarks.length,
          files: 5,
        });
        const live = visits.filter((v) => v.origin === 'live');
        const recovered = visits.filter((v) => v.origin === 'recovered');
        expect(visits.slice(0, live.length)).toEqual(live);
        expect(live.map((v) => [v.id, v.url, v.title, v.time])).toEqual(
          run.truth.visits.map((t) => [t.id, t.url, t.title, t.time.toISOString()]),
        );
        // Cleared visits: each one found is one of them, once, with its title and time (and its URL when a
        // history_items row for it survives); none is a live visit.
        expect(run.truth.deletedVisits.length).toBeGreaterThan(0);
        expect(recovered.length).toBeGreaterThan(0);
        const cleared = new Map(run.truth.deletedVisits.map((t) => [t.id, t]));
        for (const v of recovered) {
          const truth =
            v.id >= 0 ? cleared.get(v.id) : run.truth.deletedVisits.find((t) => t.time.toISOString() === v.time);
          expect(truth, `recovered visit ${v.id} at ${v.time} is one of the cleared ones`).toBeDefined();
          expect([v.title, v.time]).toEqual([truth!.title, truth!.time.toISOString()]);
          if (v.url !== null) expect(v.url).toBe(truth!.url);
        }
        expect(new Set(recovered.map((v) => `${v.id}|${v.time}`)).size).toBe(recovered.length);
        const rows = parseCsv(await readFile(join(run.out, 'safari/history.csv'), 'utf8'));
        expect(rows[0]).toEqual(['id', 'time', 'url', 'title', 'origin', 'visit_count', 'date_unclear']);
        expect(rows.length).toBe(1 + visits.length);
      } finally {
        await run.cleanup();
      }
    });
  },
);
