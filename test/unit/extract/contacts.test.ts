import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { TruthContact } from '../../../src/emulator/content/index.js';
import type { ContactRecord } from '../../../src/extract/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

type Property = InstanceType<typeof ICAL.Property>;

/** Phones/e-mails/URLs as the independent parser reads them: value plus label from TYPE or from the item's X-ABLabel.
 * */
function labeledValues(
  card: InstanceType<typeof ICAL.Component>,
  name: string,
): Array<{ label: string | null; value: string }> {
  const groupLabels = new Map<string, string>();
  for (const p of card.getAllProperties('x-ablabel'))
    groupLabels.set(String(p.getParameter('group')), String(p.getFirstValue()));
  const typeLabels: Record<string, string> = { CELL: 'Mobile', HOME: 'Home', WORK: 'Work', PAGER: 'Pager' };
  return card.getAllProperties(name).map((p: Property) => {
    const group = p.getParameter('group') as string | undefined;
    const types = ([] as string[])
      .concat((p.getParameter('type') as string | string[] | undefined) ?? [])
      .filter((t) => t !== 'INTERNET');
    const label = group !== undefined ? groupLabels.get(group)! : types.length > 0 ? typeLabels[types[0]!]! : null;
    return { label, value: String(p.getFirstValue()) };
  });
}

function checkCard(card: InstanceType<typeof ICAL.Component>, truth: TruthContact): void {
  expect(card.getFirstPropertyValue('version')).toBe('3.0');
  expect(card.getFirstPropertyValue('uid')).toBe(truth.guid);
  const n = card.getFirstPropertyValue('n') as string[];
  expect([n[0] || null, n[1] || null]).toEqual([truth.last, truth.first]);
  const org = card.getFirstPropertyValue('org') as string | string[] | null;
  expect(org === null ? null : ([] as string[]).concat(org)[0]).toBe(truth.organization);
  expect(card.getFirstPropertyValue('title')).toBe(truth.jobTitle);
  expect(card.getFirstPropertyValue('nickname')).toBe(truth.nickname);
  expect(card.getFirstPropertyValue('note')).toBe(truth.note);
  expect(card.getFirstPropertyValue('bday')?.toString() ?? null).toBe(truth.birthday);
  expect(labeledValues(card, 'tel')).toEqual(truth.phones);
  expect(labeledValues(card, 'email')).toEqual(truth.emails);
  expect(labeledValues(card, 'url')).toEqual(truth.urls);
  const adr = card.getAllProperties('adr').map((p: Property) => p.getFirstValue() as string[]);
  expect(adr.map((a) => [a[2], a[3], a[4] ?? '', a[5], a[6]])).toEqual(
    truth.addresses.map((a) => [a.street, a.city, a.state, a.zip, a.country]),
  );
  const photo = card.getFirstProperty('photo');
  expect(photo === null ? null : Buffer.from(String(photo.getFirstValue()), 'base64')).toEqual(truth.image);
}

describe.each([
  { encrypted: false, label: 'plain' },
  { encrypted: true, label: 'encrypted' },
])('contacts from a $label backup', ({ encrypted }) => {
  it('come out equal to what went in, field by field, with their pictures; deleted ones the carver finds follow, marked', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `contacts-${encrypted}`, contacts: 30, messages: 5, photos: 0, calls: 0 },
    });
    try {
      const all = JSON.parse(await readFile(join(run.out, 'contacts/contacts.json'), 'utf8')) as ContactRecord[];
      expect(run.report.types.find((t) => t.type === 'contacts')).toMatchObject({ status: 'ok', records: all.length });
      const records = all.filter((r) => r.origin === 'live');
      const recovered = all.filter((r) => r.origin === 'recovered');
      expect(all.slice(0, records.length)).toEqual(records);
      expect(records.map((r) => r.guid)).toEqual(run.truth.contacts.map((c) => c.guid));
      for (const [i, truth] of run.truth.contacts.entries()) {
        const r = records[i]!;
        expect({
          first: r.first,
          last: r.last,
          organization: r.organization,
          jobTitle: r.jobTitle,
          nickname: r.nickname,
          note: r.note,
          birthday: r.birthday,
        }).toEqual({
          first: truth.first,
          last: truth.last,
          organization: truth.organization,
          jobTitle: truth.jobTitle,
          nickname: truth.nickname,
          note: truth.note,
          birthday: truth.birthday,
        });
        expect(r.phones).toEqual(truth.phones);
        expect(r.emails).toEqual(truth.emails);
        expect(r.urls).toEqual(truth.urls);
        expect(r.addresses).toEqual(
          truth.addresses.map((a) => ({
            label: a.label,
            street: a.street,
            city: a.city,
            state: a.state || null,
            zip: a.zip,
            country: a.country,
            countryCode: a.countryCode,
          })),
        );
        expect([r.created, r.modified]).toEqual([truth.created.toISOString(), truth.modified.toISOString()]);
        expect(r.imageFile === null ? null : await readFile(join(run.out, r.imageFile))).toEqual(truth.image);
      }
      const deletedGuids = new Set(run.truth.deletedContacts.map((c) => c.guid));
      expect(run.truth.deletedContacts.length).toBeGreaterThan(0);
      expect(records.filter((r) => deletedGuids.has(r.guid ?? ''))).toEqual([]);
      // Deleted contacts the carver finds: each one of the deleted, once, names intact; their numbers and addresses
      // when those rows survived too (how many survive is the carver's recall).
      expect(recovered.length).toBeGreaterThan(0);
      expect(new Set(recovered.map((r) => r.guid)).size).toBe(recovered.length);
      for (const r of recovered) {
        const truth = run.truth.deletedContacts.find((c) => c.guid === r.guid);
        expect(truth, `recovered contact ${r.guid} is one of the deleted ones`).toBeDefined();
        expect({ first: r.first, last: r.last, organization: r.organization }).toEqual({
          first: truth!.first,
          last: truth!.last,
          organization: truth!.organization,
        });
        for (const phone of r.phones) expect(truth!.phones.map((p) => p.value)).toContain(phone.value);
        for (const email of r.emails) expect(truth!.emails.map((e) => e.value)).toContain(email.value);
        const card = await readFile(join(run.out, r.vcardFile!), 'utf8');
        expect(card).toContain('X-IOSRESCUE-ORIGIN:recovered (deleted)');
      }

      // An independent parser (ical.js) reads the combined file and every per-contact file back to the same values.
      const combined = ICAL.parse(await readFile(join(run.out, 'contacts/contacts.vcf'), 'utf8')) as unknown[];
      expect(combined).toHaveLength(all.length);
      combined
        .slice(0, records.length)
        .forEach((jcard, i) => checkCard(new ICAL.Component(jcard as unknown[]), run.truth.contacts[i]!));
      const single = await readdir(join(run.out, 'contacts/vcards'));
      expect(single).toHaveLength(all.length);
      for (const [i, r] of records.entries())
        checkCard(
          new ICAL.Component(ICAL.parse(await readFile(join(run.out, r.vcardFile!), 'utf8')) as unknown[]),
          run.truth.contacts[i]!,
        );
    } finally {
      await run.cleanup();
    }
  });
});
