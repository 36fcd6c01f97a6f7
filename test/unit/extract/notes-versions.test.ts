import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceContentSpec, TruthNote, TruthNoteFolder } from '../../../src/emulator/content/index.js';
import type { NoteRecord } from '../../../src/extract/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

/** Everything but notes left out, so each backup is quick to write. */
const ONLY_NOTES: DeviceContentSpec['omit'] = [
  'messages',
  'contacts',
  'photos',
  'calls',
  'calendar',
  'safari',
  'reminders',
  'voicemail',
  'bookmarks',
  'whatsapp',
  'audio',
];

function folderOf(note: TruthNote, folders: TruthNoteFolder[]): string {
  const names: string[] = [];
  for (
    let f = folders.find((x) => x.pk === note.folderPk);
    f;
    f = f.parentPk === null ? undefined : folders.find((x) => x.pk === f!.parentPk)
  )
    names.unshift(f.title);
  return names.join('/');
}

function expectedText(note: TruthNote): string | null {
  if (note.text === null) return null;
  let i = 0;
  return note.text.replace(/\uFFFC/g, () => `[${note.attachments[i++]!.filename}]`);
}

// One NoteStore generation per column layout (notes.ts noteStoreGeneration), and notes.sqlite before iOS 9.
describe.each([
  { ios: 5, encrypted: false, store: 'notes.sqlite' },
  { ios: 9, encrypted: false, store: 'NoteStore.sqlite' },
  { ios: 11, encrypted: true, store: 'NoteStore.sqlite' },
  { ios: 12, encrypted: false, store: 'NoteStore.sqlite' },
  { ios: 14, encrypted: false, store: 'NoteStore.sqlite' },
  { ios: 15, encrypted: false, store: 'NoteStore.sqlite' },
  { ios: 18, encrypted: false, store: 'NoteStore.sqlite' },
])('notes of iOS $ios (encrypted: $encrypted)', ({ ios, encrypted, store }) => {
  it(`reads ${store} in that version's columns: every note field by field, dates included`, async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `notes-v${ios}`, iosVersion: ios, notes: 10, omit: ONLY_NOTES },
      extract: { types: ['notes'] },
    });
    try {
      const notes = JSON.parse(await readFile(join(run.out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
      expect(run.report.types.find((t) => t.type === 'notes')).toMatchObject({ status: 'ok', records: notes.length });
      const live = notes.filter((n) => n.origin !== 'recovered');
      expect(live.map((n) => n.id).sort((a, b) => a - b)).toEqual(
        run.truth.notes.map((n) => n.pk).sort((a, b) => a - b),
      );
      for (const truth of run.truth.notes) {
        const note = live.find((n) => n.id === truth.pk)!;
        expect({
          origin: note.origin,
          identifier: note.identifier,
          store: note.store,
          account: note.account,
          folder: note.folder,
          title: note.title,
          snippet: note.snippet,
          text: note.text,
          created: note.created,
          modified: note.modified,
          pinned: note.pinned,
          locked: note.locked,
          attachments: note.attachments.map((a) => a.name),
          dateSuspect: note.dateSuspect,
        }).toEqual({
          origin: truth.recentlyDeleted || truth.markedForDeletion ? 'recently-deleted' : 'live',
          identifier: truth.identifier,
          store,
          account: store === 'notes.sqlite' ? truth.account : truth.account,
          folder: folderOf(truth, run.truth.noteFolders),
          title: truth.title,
          snippet: truth.snippet,
          text: expectedText(truth),
          created: truth.created.toISOString(),
          modified: truth.modified.toISOString(),
          pinned: truth.pinned,
          locked: truth.locked,
          attachments: truth.attachments.map((a) => a.filename),
          dateSuspect: undefined,
        });
      }
      if (store === 'notes.sqlite') {
        // The old app had no attachments, pins or locks: the generator's truth says so, and so must the records.
        expect(run.truth.notes.every((n) => n.attachments.length === 0 && !n.pinned && !n.locked)).toBe(true);
        expect(live.every((n) => n.file?.startsWith('notes/Legacy notes (notes.sqlite)/'))).toBe(true);
      } else {
        expect(run.truth.notes.some((n) => n.attachments.length > 0)).toBe(true);
        expect(run.truth.notes.some((n) => n.pinned)).toBe(ios >= 11);
      }
    } finally {
      await run.cleanup();
    }
  });
});
