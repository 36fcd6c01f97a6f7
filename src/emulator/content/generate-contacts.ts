import { CITIES, COMPANIES, EMAIL_LABELS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, PHONE_LABELS, STREETS } from './names.js';
import type { SeededRandom } from './seeded-random.js';
import { tinyJpeg } from './tiny-jpeg.js';
import type { TruthContact } from './truth.js';

/** A North-American test number (555-01xx range is reserved for fiction) in E.164, unique per index. */
export function phoneNumber(index: number): string {
  const area = 200 + (index % 700);
  return `+1${area}555${String(100 + (index % 9000)).padStart(4, '0')}`;
}

/** How people type numbers into Contacts: "+1 (415) 555-0123". */
export function formatPhone(e164: string): string {
  return `+1 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
}

function wholeSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export interface GeneratedContacts {
  contacts: TruthContact[];
  deleted: TruthContact[];
  /** Thumbnail bytes per contact rowid (the full-size picture is `contact.image`). */
  thumbnails: Map<number, Buffer>;
}

export function generateContacts(random: SeededRandom, count: number, deletedCount: number, window: [Date, Date], seed: string): GeneratedContacts {
  const total = count + deletedCount;
  const doomed = new Set<number>();
  while (doomed.size < deletedCount) doomed.add(random.int(1, total));
  const contacts: TruthContact[] = [];
  const deleted: TruthContact[] = [];
  const thumbnails = new Map<number, Buffer>();
  const span = window[1].getTime() - window[0].getTime();
  for (let rowid = 1; rowid <= total; rowid++) {
    const isCompany = random.chance(0.08);
    const first = isCompany ? null : random.pick(FIRST_NAMES);
    const last = isCompany ? null : random.pick(LAST_NAMES);
    const phones = Array.from({ length: random.int(isCompany ? 1 : 0, 3) }, (_, i) => ({
      label: i === 0 ? 'Mobile' : random.pick(PHONE_LABELS),
      value: random.chance(0.7) ? formatPhone(phoneNumber(rowid * 4 + i)) : phoneNumber(rowid * 4 + i),
    }));
    const slug = `${(first ?? 'info').toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}${rowid}`;
    const emails = Array.from({ length: random.int(0, 2) }, (_, i) => ({ label: random.pick(EMAIL_LABELS), value: `${slug}${i ? `.${i}` : ''}@example.com` }));
    const urls = random.chance(0.15) ? [{ label: 'HomePage', value: `https://example.org/~${slug}` }] : [];
    const place = random.pick(CITIES);
    const addresses = random.chance(0.3) ? [{ label: random.pick(['Home', 'Work'] as const), street: random.pick(STREETS), ...place }] : [];
    const created = wholeSecond(window[0].getTime() + random.next() * span * 0.5);
    const contact: TruthContact = {
      rowid,
      guid: random.uuid(),
      first,
      last,
      organization: isCompany || random.chance(0.3) ? random.pick(COMPANIES) : null,
      jobTitle: !isCompany && random.chance(0.2) ? random.pick(JOB_TITLES) : null,
      nickname: !isCompany && random.chance(0.1) ? `${first!.slice(0, 3)}y` : null,
      note: random.chance(0.15) ? `Met at "the conference"; likes tea, not coffee\nSecond line, with a comma` : null,
      birthday: !isCompany && random.chance(0.3) ? `${random.int(1950, 2010)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}` : null,
      phones,
      emails,
      urls,
      addresses,
      created,
      modified: wholeSecond(created.getTime() + random.next() * span * 0.5),
      image: null,
    };
    if (random.chance(0.3)) {
      const rgb: [number, number, number] = [random.int(0, 255), random.int(0, 255), random.int(0, 255)];
      contact.image = tinyJpeg({ rgb, blocksWide: 4, blocksHigh: 4, comment: `${seed}:contact:${rowid}` });
      thumbnails.set(rowid, tinyJpeg({ rgb, comment: `${seed}:thumb:${rowid}` }));
    }
    (doomed.has(rowid) ? deleted : contacts).push(contact);
  }
  return { contacts, deleted, thumbnails };
}
