import type { SyntheticItem } from '../../backup/index.js';
import { buildLegacyNotesDb, LEGACY_NOTES, legacyNotebook } from './notes-legacy.js';
import {
  buildNoteStoreDb,
  NOTES_DOMAIN,
  type NoteStoreContent,
  noteMediaFolders,
  notebookForVersion,
} from './notes.js';
import type { SqliteImage } from './sqlite-image.js';

function imageItems(path: { domain: string; relativePath: string }, image: SqliteImage): SyntheticItem[] {
  const items: SyntheticItem[] = [{ ...path, data: image.main }];
  if (image.wal) items.push({ ...path, relativePath: `${path.relativePath}-wal`, data: image.wal });
  return items;
}

/**
 * The notes of a phone of `ios`, as backup items, and the notebook they hold (the truth to compare with): notes.sqlite
 * in HomeDomain up to iOS 8, NoteStore.sqlite in the Notes app group (with its attachments) from iOS 9, in the
 * columns of that version (notes.ts noteStoreGeneration).
 */
export function notesForVersion(
  generated: NoteStoreContent,
  ios: number,
): { items: SyntheticItem[]; notebook: NoteStoreContent } {
  if (ios <= 8) {
    const notebook = legacyNotebook(generated);
    return {
      items: [
        { domain: LEGACY_NOTES.domain, relativePath: 'Library/Notes', kind: 'directory' },
        ...imageItems(LEGACY_NOTES, buildLegacyNotesDb(notebook)),
      ],
      notebook,
    };
  }
  const notebook = notebookForVersion(generated, ios);
  const items: SyntheticItem[] = [
    ...imageItems({ domain: NOTES_DOMAIN, relativePath: 'NoteStore.sqlite' }, buildNoteStoreDb(notebook, ios)),
    ...noteMediaFolders(notebook).map((relativePath) => ({
      domain: NOTES_DOMAIN,
      relativePath,
      kind: 'directory' as const,
    })),
  ];
  for (const n of notebook.notes)
    for (const a of n.attachments) items.push({ domain: a.domain, relativePath: a.relativePath, data: a.data });
  return { items, notebook };
}
