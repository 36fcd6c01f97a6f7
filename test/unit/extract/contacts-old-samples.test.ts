import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ContactRecord } from '../../../src/extract/index.js';
import { extractSamples, oldFixtures } from '../../helpers/old-sample-backup.js';

it('a real iOS 4 AddressBook.sqlitedb (no guid column) gives its 6 people with their numbers, addresses and dates', async () => {
  const run = await extractSamples(
    [
      {
        domain: 'HomeDomain',
        relativePath: 'Library/AddressBook/AddressBook.sqlitedb',
        path: join(oldFixtures, 'tracy-ios4.2.1/AddressBook.sqlitedb'),
      },
    ],
    ['contacts'],
  );
  try {
    expect(run.report.types.find((t) => t.type === 'contacts')).toMatchObject({ status: 'ok', records: 6 });
    const people = await run.json<ContactRecord[]>('contacts/contacts.json');
    expect(
      people.map((p) => [
        p.id,
        p.guid,
        p.first,
        p.last,
        p.organization,
        p.phones.map((x) => x.value),
        p.emails.map((x) => x.value),
        p.created,
      ]),
    ).toEqual([
      [1, null, 'Pat', 'TeeSumTwelve', null, [], ['patsumtwelve@gmail.com'], '2012-06-12T19:28:50.000Z'],
      [2, null, 'Tracy', 'Sumtwelve', null, [], ['tracysumtwelve@gmail.com'], '2012-06-12T19:28:50.000Z'],
      [3, null, null, null, 'Apple Inc.', ['1-800-MY-APPLE'], [], '2012-06-12T19:28:50.000Z'],
      [4, null, 'Terry', null, null, ['+17038296071'], [], '2012-06-13T18:35:37.000Z'],
      [5, null, 'Pat', null, null, ['+15713083236'], [], '2012-06-13T18:37:18.000Z'],
      [6, null, 'Carry', null, null, ['+12027252124'], [], '2012-07-05T18:21:23.000Z'],
    ]);
    expect(people[2]!.urls.map((u) => u.value)).toEqual(['http://www.apple.com']);
    expect(people.every((p) => p.origin === 'live' && p.dateSuspect === undefined)).toBe(true);
  } finally {
    await run.cleanup();
  }
});
