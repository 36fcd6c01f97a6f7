import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceContentSpec } from '../../../src/emulator/content/index.js';
import { toBinaryPlist, toXmlPlist } from '../../../src/plist/index.js';
import { parseHistoryPlist } from '../../../src/extract/extractors/safari-history-plist.js';
import type { BookmarkRecord, VisitRecord } from '../../../src/extract/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { scanGenerated } from '../../helpers/scan-generated.js';

const ONLY_SAFARI: DeviceContentSpec['omit'] = [
  'messages',
  'contacts',
  'photos',
  'calls',
  'calendar',
  'reminders',
  'voicemail',
  'whatsapp',
  'audio',
  'notes',
];

describe.each([
  { ios: 7, encrypted: true },
  { ios: 8, encrypted: false },
  { ios: 9, encrypted: false },
])('Safari history of iOS $ios (encrypted: $encrypted)', ({ ios, encrypted }) => {
  it(`reads ${ios <= 8 ? 'History.plist' : 'History.db'}: every visit field by field, dates included`, async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `safari-v${ios}`, iosVersion: ios, visits: 25, omit: ONLY_SAFARI },
      extract: { types: ['safari'] },
    });
    try {
      const visits = JSON.parse(await readFile(join(run.out, 'safari/history.json'), 'utf8')) as VisitRecord[];
      expect(run.report.types.find((t) => t.type === 'safari')).toMatchObject({ status: 'ok' });
      const live = visits.filter((v) => v.origin === 'live');
      expect(live.map((v) => [v.id, v.url, v.title, v.time, v.visitCount, v.dateSuspect])).toEqual(
        run.truth.visits.map((t) => [t.id, t.url, t.title, t.time.toISOString(), t.visitCount, undefined]),
      );
      // Bookmarks.db (HomeDomain up to iOS 8, Safari's container after): every bookmark and folder the user has.
      const bookmarks = JSON.parse(await readFile(join(run.out, 'safari/bookmarks.json'), 'utf8')) as BookmarkRecord[];
      expect(
        bookmarks
          .filter((b) => b.origin !== 'recovered')
          .map((b) => b.id)
          .sort((a, b) => a - b),
      ).toEqual(
        run.truth.bookmarks
          .filter((t) => !t.webFilter)
          .map((t) => t.id)
          .sort((a, b) => a - b),
      );
      if (ios <= 8) {
        // One entry per URL, some visited more than once: the counts add up to the visits the phone made.
        expect(live.length).toBeLessThan(25);
        expect(live.reduce((n, v) => n + (v.visitCount ?? 0), 0)).toBe(25);
        expect(visits.some((v) => v.origin === 'recovered')).toBe(false);
      } else {
        expect(live.every((v) => v.visitCount === undefined)).toBe(true);
      }
    } finally {
      await run.cleanup();
    }
  });
});

it('scan counts History.plist entries (iOS 7) with their first and last date, and no purge estimate: the plist keeps no ids', async () => {
  const { scan, truth } = await scanGenerated({
    encrypted: false,
    spec: { seed: 'safari-scan-v7', iosVersion: 7, visits: 20, omit: [...(ONLY_SAFARI ?? []), 'bookmarks'] },
    types: ['safari'],
  });
  const times = truth.visits.map((v) => v.time.toISOString()).sort();
  expect(scan[0]).toMatchObject({
    type: 'safari',
    present: true,
    count: truth.visits.length,
    purged: null,
    firstDate: times[0],
    lastDate: times.at(-1),
  });
});

describe('History.plist reader', () => {
  const entry = (url: string, seconds: string, extra: Record<string, unknown> = {}) => ({
    '': url,
    lastVisitedDate: seconds,
    title: `t ${url}`,
    visitCount: 2,
    ...extra,
  });

  it('reads binary and XML history files alike, oldest first, ids by position (1 = newest)', () => {
    const root = {
      WebHistoryDates: [entry('https://b.example/', '400000000.5'), entry('https://a.example/', '300000000.0')],
      WebHistoryFileVersion: 1,
    };
    for (const data of [toBinaryPlist(root), Buffer.from(toXmlPlist(root))]) {
      expect(parseHistoryPlist(data)).toEqual([
        {
          origin: 'live',
          id: 2,
          url: 'https://a.example/',
          title: 't https://a.example/',
          time: '2010-07-05T05:20:00.000Z',
          visitCount: 2,
        },
        {
          origin: 'live',
          id: 1,
          url: 'https://b.example/',
          title: 't https://b.example/',
          time: '2013-09-04T15:06:40.500Z',
          visitCount: 2,
        },
      ]);
    }
  });

  it('flags a visit date outside 2000…now+1y instead of stating it, and skips entries without a URL', () => {
    const data = toBinaryPlist({
      WebHistoryDates: [entry('https://x.example/', '1400000000'), { title: 'no url' }, 'not a dict'],
    });
    const [visit, ...rest] = parseHistoryPlist(data);
    expect(rest).toEqual([]);
    expect(visit).toMatchObject({ url: 'https://x.example/', time: '2045-05-13T16:53:20.000Z', dateSuspect: true });
  });

  it('a plist that is not a WebKit history file is EXTRACT_SCHEMA_UNSUPPORTED naming the keys it has', () => {
    expect(() => parseHistoryPlist(toBinaryPlist({ Bookmarks: [] }))).toThrow(
      expect.objectContaining({ code: 'EXTRACT_SCHEMA_UNSUPPORTED', message: expect.stringContaining('Bookmarks') }),
    );
  });
});
