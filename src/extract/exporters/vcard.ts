import type { ContactRecord } from '../records.js';

/**
 * vCard 3.0 (RFC 2426) as Apple's Contacts writes it: standard TYPE parameters for the labels vCard knows, and for
 * the others (iPhone, Main, custom labels) a property group `itemN.` with an `itemN.X-ABLabel`, which Contacts,
 * Google and Outlook read back as the label.
 */

const PHONE_TYPES: Record<string, string> = {
  Mobile: 'CELL',
  Home: 'HOME',
  Work: 'WORK',
  Pager: 'PAGER',
  HomeFAX: 'HOME,FAX',
  WorkFAX: 'WORK,FAX',
};
const EMAIL_TYPES: Record<string, string> = { Home: 'HOME', Work: 'WORK' };
const PLAIN_TYPES: Record<string, string> = { Home: 'HOME', Work: 'WORK' };

/**
 * Text escaping: backslash, comma and newline always; semicolon only inside structured values (N, ORG, ADR), where
 * it separates components. RFC 6350 §3.4 settles it that way, and vCard 3.0 readers (ical.js among them) leave a
 * `\;` in a single-valued property such as NOTE as it is.
 */
export function escapeText(value: string, structured = false): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
  return structured ? escaped.replace(/;/g, '\\;') : escaped;
}

/** URI, phone and e-mail values are not text: no escaping, only line breaks (which cannot be in a line) removed. */
function plainValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** RFC 2425 §5.8.1: lines longer than 75 octets are folded with CRLF + space, never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (size + bytes > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

class CardWriter {
  readonly lines: string[] = [];
  private group = 0;

  add(name: string, value: string, params = ''): void {
    this.lines.push(foldLine(`${name}${params}:${value}`));
  }

  labeled(
    name: string,
    item: { label: string | null },
    value: string,
    known: Record<string, string>,
    extra = '',
  ): void {
    const type = item.label === null ? undefined : known[item.label];
    if (item.label === null || type !== undefined) {
      this.add(name, value, `${extra}${type ? `;TYPE=${type}` : ''}`);
      return;
    }
    const group = `item${++this.group}`;
    this.add(`${group}.${name}`, value, extra);
    this.add(`${group}.X-ABLabel`, escapeText(item.label));
  }
}

export function displayName(
  c: Pick<ContactRecord, 'prefix' | 'first' | 'middle' | 'last' | 'suffix' | 'organization' | 'nickname'>,
): string {
  const person = [c.prefix, c.first, c.middle, c.last, c.suffix].filter((p) => p !== null && p !== '').join(' ');
  return person || c.organization || c.nickname || '';
}

export function contactToVCard(c: ContactRecord, image: Buffer | null): string {
  const card = new CardWriter();
  card.add('BEGIN', 'VCARD');
  card.add('VERSION', '3.0');
  card.add('PRODID', '-//iosrescue//Contacts export//EN');
  card.add('N', [c.last, c.first, c.middle, c.prefix, c.suffix].map((p) => escapeText(p ?? '', true)).join(';'));
  card.add('FN', escapeText(displayName(c) || 'No name'));
  if (c.nickname) card.add('NICKNAME', escapeText(c.nickname));
  if (c.organization || c.department)
    card.add(
      'ORG',
      [c.organization ?? '', ...(c.department ? [c.department] : [])].map((p) => escapeText(p, true)).join(';'),
    );
  if (c.jobTitle) card.add('TITLE', escapeText(c.jobTitle));
  if (!displayName({ ...c, organization: null, nickname: null }) && c.organization) card.add('X-ABShowAs', 'COMPANY');
  for (const p of c.phones) card.labeled('TEL', p, plainValue(p.value), PHONE_TYPES);
  for (const e of c.emails) card.labeled('EMAIL', e, plainValue(e.value), EMAIL_TYPES, ';TYPE=INTERNET');
  for (const u of c.urls) card.labeled('URL', u, plainValue(u.value), PLAIN_TYPES);
  for (const a of c.addresses) {
    const value = ['', '', a.street, a.city, a.state, a.zip, a.country].map((p) => escapeText(p ?? '', true)).join(';');
    card.labeled('ADR', a, value, PLAIN_TYPES);
  }
  if (c.birthday) card.add('BDAY', c.birthday);
  if (c.note) card.add('NOTE', escapeText(c.note));
  if (image) card.add('PHOTO', image.toString('base64'), `;ENCODING=b;TYPE=${image[0] === 0x89 ? 'PNG' : 'JPEG'}`);
  if (c.modified) card.add('REV', c.modified);
  if (c.guid) card.add('UID', escapeText(c.guid));
  // An extension property (RFC 6350 §6.10): address books keep it, and anyone reading the card sees where it came from.
  if (c.origin === 'recovered') card.add('X-IOSRESCUE-ORIGIN', 'recovered (deleted)');
  card.add('END', 'VCARD');
  return `${card.lines.join('\r\n')}\r\n`;
}
