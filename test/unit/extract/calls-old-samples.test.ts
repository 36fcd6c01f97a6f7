import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { CallRecord } from '../../../src/extract/index.js';
import { extractSamples, oldFixtures } from '../../helpers/old-sample-backup.js';

it('a real iOS 4 call_history.db (WirelessDomain) gives its 5 calls with their Unix-second dates, directions and durations', async () => {
  const run = await extractSamples(
    [
      {
        domain: 'WirelessDomain',
        relativePath: 'Library/CallHistory/call_history.db',
        path: join(oldFixtures, 'tracy-ios4.2.1/call_history.db'),
      },
    ],
    ['calls'],
  );
  try {
    expect(run.report.types.find((t) => t.type === 'calls')).toMatchObject({ status: 'ok', records: 5 });
    const calls = await run.json<CallRecord[]>('calls/calls.json');
    // As sqlite3 reads the file: date is Unix seconds, flags 4 incoming / 5 outgoing, duration in seconds.
    expect(
      calls.map((c) => [c.id, c.date, c.address, c.direction, c.durationSeconds, c.answered, c.countryCode]),
    ).toEqual([
      [1, '2012-06-12T20:04:50.000Z', '6508870260', 'incoming', 20, true, '310'],
      [2, '2012-06-12T20:52:14.000Z', '7038296191', 'incoming', 56, true, '310'],
      [3, '2012-06-13T16:29:13.000Z', '+15713083236', 'outgoing', 0, false, '310'],
      [4, '2012-06-22T17:34:26.000Z', '5712458517', 'incoming', 0, false, '310'],
      [5, '2012-07-06T15:18:50.000Z', '5713083236', 'incoming', 244, true, '310'],
    ]);
    expect(calls.every((c) => c.origin === 'live' && c.kind === 'phone' && c.dateSuspect === undefined)).toBe(true);
  } finally {
    await run.cleanup();
  }
});
