import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/extract/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

const KIND = { 1: 'phone', 8: 'facetime-video', 16: 'facetime-audio' } as const;

describe.each([{ encrypted: false }, { encrypted: true }])('call history (encrypted: $encrypted)', ({ encrypted }) => {
  it('comes out equal to what went in, in JSON and CSV, without the deleted calls', async () => {
    const run = await extractGenerated({ encrypted, spec: { seed: `calls-${encrypted}`, contacts: 10, messages: 5, photos: 0, calls: 40 } });
    try {
      expect(run.report.types.find((t) => t.type === 'calls')).toMatchObject({ status: 'ok', records: 40 });
      const calls = JSON.parse(await readFile(join(run.out, 'calls/calls.json'), 'utf8')) as CallRecord[];
      const expected = [...run.truth.calls].sort((a, b) => a.date.getTime() - b.date.getTime());
      expect(calls.map((c) => ({ id: c.id, uniqueId: c.uniqueId, address: c.address, name: c.name, date: c.date, durationSeconds: c.durationSeconds, direction: c.direction, answered: c.answered, kind: c.kind, serviceProvider: c.serviceProvider, countryCode: c.countryCode })))
        .toEqual(expected.map((t) => ({ id: t.pk, uniqueId: t.uniqueId, address: t.address, name: t.name, date: t.date.toISOString(), durationSeconds: t.durationSeconds, direction: t.outgoing ? 'outgoing' : 'incoming', answered: t.answered, kind: KIND[t.callType], serviceProvider: t.serviceProvider, countryCode: t.countryCode })));
      const deleted = new Set(run.truth.deletedCalls.map((c) => c.uniqueId));
      expect(deleted.size).toBeGreaterThan(0);
      expect(calls.filter((c) => deleted.has(c.uniqueId ?? ''))).toEqual([]);

      const rows = parseCsv(await readFile(join(run.out, 'calls/calls.csv'), 'utf8'));
      expect(rows[0]).toEqual(['id', 'date', 'direction', 'answered', 'kind', 'address', 'name', 'duration_seconds', 'service_provider', 'country_code', 'unique_id']);
      expect(rows.slice(1).map((r) => [r[1], r[5], Number(r[7]), r[10]])).toEqual(expected.map((t) => [t.date.toISOString(), t.address, t.durationSeconds, t.uniqueId]));
    } finally {
      await run.cleanup();
    }
  });
});

describe('call history date range', () => {
  it('keeps only the calls between --since and --until (inclusive)', async () => {
    const probe = await extractGenerated({ encrypted: false, spec: { seed: 'calls-range', calls: 30, messages: 5, photos: 0 }, extract: { types: ['calls'] } });
    await probe.cleanup();
    const dates = probe.truth.calls.map((c) => c.date.getTime()).sort((a, b) => a - b);
    const since = new Date(dates[5]!);
    const until = new Date(dates[20]!);
    const run = await extractGenerated({ encrypted: false, spec: { seed: 'calls-range', calls: 30, messages: 5, photos: 0 }, extract: { types: ['calls'], range: { since, until } } });
    try {
      const calls = JSON.parse(await readFile(join(run.out, 'calls/calls.json'), 'utf8')) as CallRecord[];
      expect(calls).toHaveLength(16);
      expect(calls.every((c) => Date.parse(c.date!) >= since.getTime() && Date.parse(c.date!) <= until.getTime())).toBe(true);
      expect(run.report.types.map((t) => t.type)).toEqual(['calls']);
    } finally {
      await run.cleanup();
    }
  });
});
