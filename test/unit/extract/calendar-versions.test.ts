import { describe, expect, it } from 'vitest';
import type { DeviceContentSpec } from '../../../src/emulator/content/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { expectEvents, expectReminders } from '../../helpers/version-truth.js';

const ONLY_CALENDAR: DeviceContentSpec['omit'] = [
  'messages',
  'contacts',
  'photos',
  'calls',
  'safari',
  'voicemail',
  'bookmarks',
  'whatsapp',
  'audio',
  'notes',
];

// The Event table (iOS ≤ 4, no reminders yet), CalendarItem holding events and reminders (5–12), reminders in their
// own Core Data stores (13+).
describe.each([
  { ios: 4, encrypted: false, reminders: 'none' },
  { ios: 12, encrypted: false, reminders: 'Calendar.sqlitedb' },
  { ios: 13, encrypted: false, reminders: 'stores' },
])('calendar and reminders of iOS $ios (encrypted: $encrypted)', ({ ios, encrypted, reminders }) => {
  it(`events field by field, dates included; reminders from ${reminders}`, async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `calendar-v${ios}`, iosVersion: ios, events: 12, reminders: 8, omit: ONLY_CALENDAR },
      extract: { types: ['calendar', 'reminders'] },
    });
    try {
      const status = Object.fromEntries(run.report.types.map((t) => [t.type, t.status]));
      expect(status.calendar).toBe('ok');
      await expectEvents(run.out, run.truth);
      if (ios <= 4) {
        // No creation date nor address in the old Event table: the truth says null, and so do the records.
        expect(run.truth.events.every((e) => e.created === null && e.address === null)).toBe(true);
        expect(run.truth.events.some((e) => e.location !== null)).toBe(true);
        expect(run.truth.reminders).toEqual([]);
        // The Reminders app came with iOS 5: nothing to read, which the type reports as such.
        expect(status.reminders).toBe('missing');
        return;
      }
      expect(status.reminders).toBe('ok');
      expect(run.truth.reminders.length).toBeGreaterThan(0);
      expect(
        run.truth.reminders.every((r) => (r.store === 'Calendar.sqlitedb') === (reminders === 'Calendar.sqlitedb')),
      ).toBe(true);
      await expectReminders(run.out, run.truth);
    } finally {
      await run.cleanup();
    }
  });
});
