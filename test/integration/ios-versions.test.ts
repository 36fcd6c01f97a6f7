import { describe, expect, it } from 'vitest';
import { iosVersionProfile, NEWEST_IOS } from '../../src/emulator/content/ios-versions.js';
import { extractGenerated } from '../helpers/extract-backups.js';
import {
  expectCallsMatch,
  expectContactsMatch,
  expectMessagesMatch,
  expectPhotosMatch,
} from '../helpers/version-truth-core-types.js';
import {
  expectEvents,
  expectNotes,
  expectReminders,
  expectVisits,
  expectVoiceMemos,
  expectVoicemails,
  expectWhatsApp,
} from '../helpers/version-truth.js';

/**
 * Issue 13: a backup from any iOS version extracts to what its phone held. For each version the generator writes
 * every database in that version's schema (madrid sms.db for 5, call_history.db for ≤ 7, guid-less AddressBook for
 * ≤ 8, ZGENERICASSET for ≤ 13, …) and the backup in its format (Manifest.mbdb for ≤ 9), plain and encrypted; each
 * type's extraction must equal the generator's truth field by field, dates included. Small content keeps the whole
 * matrix cheap.
 */
const VERSIONS = [5, 7, 9, 12, 14, 16, NEWEST_IOS];

describe.each(VERSIONS.flatMap((ios) => [false, true].map((encrypted) => ({ ios, encrypted }))))(
  'iOS $ios (encrypted: $encrypted)',
  ({ ios, encrypted }) => {
    it('every type extracts equal to the truth', async () => {
      const run = await extractGenerated({
        encrypted,
        format: ios <= 9 ? 'mbdb' : 'db',
        spec: {
          seed: `ios-${ios}`,
          iosVersion: ios,
          contacts: 6,
          messages: 24,
          conversations: 4,
          photos: 5,
          calls: 8,
          events: 6,
          visits: 6,
          reminders: 4,
          voicemails: 3,
          bookmarks: 4,
          whatsappMessages: 16,
          voiceMemos: 3,
          ringtones: 1,
          tracks: 2,
          notes: 7,
        },
      });
      try {
        expect(run.truth.messages.length + run.truth.contacts.length).toBeGreaterThan(0);
        for (const type of ['messages', 'contacts', 'calls', 'photos'])
          expect(
            run.report.types.find((t) => t.type === type),
            type,
          ).toMatchObject({ status: 'ok' });
        expect(await expectMessagesMatch(run, ios)).toBe(run.truth.messages.length);
        expect(await expectContactsMatch(run, ios)).toBe(run.truth.contacts.length);
        expect(await expectCallsMatch(run, ios)).toBe(run.truth.calls.length);
        expect(await expectPhotosMatch(run)).toBe(run.truth.photos.length);
        // Calendar, reminders, Safari, voicemail, WhatsApp, voice memos and notes in that version's layout
        // (test/helpers/version-truth.ts; per-type version tests in test/unit/extract/*-versions.test.ts).
        for (const type of ['calendar', 'reminders', 'safari', 'voicemail', 'whatsapp', 'audio', 'notes'])
          expect(
            run.report.types.find((t) => t.type === type),
            type,
          ).toMatchObject({ status: 'ok' });
        await expectEvents(run.out, run.truth);
        await expectReminders(run.out, run.truth);
        await expectVisits(run.out, run.truth);
        await expectVoicemails(run.out, run.truth);
        await expectWhatsApp(run.out, run.truth);
        await expectVoiceMemos(run.out, run.truth);
        await expectNotes(run.out, run.truth);
        expect(run.truth.events.length * run.truth.visits.length * run.truth.notes.length).toBeGreaterThan(0);
        // What the backup says of itself matches the version it imitates.
        expect(iosVersionProfile(ios).major).toBe(ios);
      } finally {
        await run.cleanup();
      }
    }, 60_000);
  },
);

// iOS 4 had no iMessage, reminders, voice memos app data or NoteStore: its phone is checked for the types it held
// (an SMS-only sms.db, call_history.db, a guid-less AddressBook, Photos.sqlite), plain and encrypted.
describe.each([false, true])('iOS 4 (encrypted: %s)', (encrypted) => {
  it('messages, contacts, calls and photos extract equal to the truth', async () => {
    const run = await extractGenerated({
      encrypted,
      format: 'mbdb',
      spec: { seed: 'ios-4', iosVersion: 4, contacts: 6, messages: 24, conversations: 4, photos: 5, calls: 8 },
      extract: { types: ['messages', 'contacts', 'calls', 'photos'] },
    });
    try {
      expect(Object.fromEntries(run.report.types.map((t) => [t.type, t.status]))).toEqual({
        photos: 'ok',
        contacts: 'ok',
        messages: 'ok',
        calls: 'ok',
      });
      expect(run.truth.messages.every((m) => m.service === 'SMS')).toBe(true);
      expect(await expectMessagesMatch(run, 4)).toBe(run.truth.messages.length);
      expect(await expectContactsMatch(run, 4)).toBe(run.truth.contacts.length);
      expect(await expectCallsMatch(run, 4)).toBe(run.truth.calls.length);
      expect(await expectPhotosMatch(run)).toBe(run.truth.photos.length);
    } finally {
      await run.cleanup();
    }
  }, 60_000);
});
