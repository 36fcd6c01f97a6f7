import { displayName } from './exporters/vcard.js';
import type { ScanContext } from './extractor.js';
import { ADDRESS_BOOK, readContacts } from './extractors/contacts.js';

/**
 * Last ten digits of a phone number (or a lower-cased e-mail): how numbers and address-book entries are matched,
 * so "+1 (555) 555-0123" and "5555550123" meet.
 */
export function phoneKey(value: string): string {
  if (value.includes('@')) return value.trim().toLowerCase();
  return value.replace(/\D/g, '').slice(-10);
}

/**
 * Names by `phoneKey` of every phone number and e-mail of the backup's AddressBook; empty when it is missing or
 * unreadable (a name is a nicety: a warning, never a failure of the type asking).
 */
export async function contactNames({ reader, work, warn }: ScanContext): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    const opened = await work.openDatabase(reader, ADDRESS_BOOK.domain, ADDRESS_BOOK.relativePath);
    if (opened === undefined) return names;
    for (const c of readContacts(opened.db)) {
      const name = displayName(c);
      if (!name) continue;
      for (const v of [...c.phones, ...c.emails]) if (phoneKey(v.value)) names.set(phoneKey(v.value), name);
    }
  } catch (error) {
    warn(`contact names skipped: ${(error as Error).message}`);
  }
  return names;
}
