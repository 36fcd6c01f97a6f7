import type { NoteAttachmentRecord, NoteRecord } from '../records.js';
import type { NoteBody } from './note-body.js';
import { noteTableText, type NoteTable } from './note-table.js';

/** How an attachment shows in a note's page. */
export type NoteAttachmentKind = 'image' | 'file' | 'table' | 'link' | 'inline' | 'other';

/** An attachment as the exporters need it: the record plus what to draw and where its file is. */
export interface NoteAttachmentView {
  record: NoteAttachmentRecord;
  kind: NoteAttachmentKind;
  table: NoteTable | null;
  /** What an inline attachment reads as (a hashtag's "#tag", a mention's name). */
  text: string | null;
  /** A URL attachment's address. */
  url: string | null;
  /** The file in the backup, when the backup holds it. */
  source: { domain: string; relativePath: string } | null;
  modified: Date | null;
}

/** A note read from a database, before its files are written. */
export interface NoteEntry {
  record: NoteRecord;
  /** Null for locked notes, notes without a body and bodies that do not decode. */
  body: NoteBody | null;
  /** By attachment identifier (what the body's runs name). */
  attachments: Map<string, NoteAttachmentView>;
  /** Folder names from the top (nested folders), for the output folder. */
  folderPath: string[];
}

const IMAGE_UTIS = new Set([
  'public.jpeg',
  'public.png',
  'public.heic',
  'public.heif',
  'com.compuserve.gif',
  'public.tiff',
  'org.webmproject.webp',
  'com.microsoft.bmp',
]);

export function isImageUti(uti: string | null): boolean {
  return uti !== null && IMAGE_UTIS.has(uti.toLowerCase());
}

/** What stands in the plain text for one attachment. */
export function attachmentText(view: NoteAttachmentView | undefined): string {
  if (view === undefined) return '[attachment]';
  if (view.kind === 'inline') return view.text ?? '';
  if (view.kind === 'table' && view.table) return noteTableText(view.table);
  if (view.kind === 'link') return view.url ?? `[${view.record.name ?? 'link'}]`;
  return `[${view.record.name ?? view.record.uti ?? 'attachment'}]`;
}

/** The body as plain text, each U+FFFC replaced by what its attachment reads as. */
export function noteText(body: NoteBody, attachments: Map<string, NoteAttachmentView>): string {
  let text = '';
  for (const run of body.runs) {
    const chunk = body.text.slice(run.start, run.start + run.length);
    text += run.attachment
      ? chunk.replace(/\uFFFC/g, () => attachmentText(attachments.get(run.attachment!.identifier)))
      : chunk;
  }
  return text;
}
