import type { NoteAttachmentRecord, NoteRecord } from '../../records.js';
import { attr, dateTime, fileHref, fileLink, isWebImage, itemAttributes, originMark, text, webLink } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordCards } from './table.js';

/**
 * Notes as cards, like the Notes app's list: title, account and folder, dates, the first lines of the text, the
 * attached files (pictures as thumbnails), and links to the note's own page and Markdown file, which hold the
 * whole note with its formatting. A locked note is listed with a badge: its body is encrypted with its own
 * password and was not exported.
 */

const PREVIEW_LINES = 4;
const PREVIEW_CHARS = 300;

/** The lines under the title, as the list shows them; the snippet when there is no text (locked, unreadable). */
function preview(note: NoteRecord): string {
  if (note.text === null) return note.snippet ?? '';
  const lines = note.text
    .replace(/\uFFFC/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // The text starts with the title line (ZTITLE1 is the note's first line).
  if (lines[0] !== undefined && lines[0] === (note.title ?? '').trim()) lines.shift();
  const shown = lines.slice(0, PREVIEW_LINES).join('\n');
  return shown.length > PREVIEW_CHARS
    ? `${shown.slice(0, PREVIEW_CHARS)}…`
    : `${shown}${lines.length > PREVIEW_LINES ? '\n…' : ''}`;
}

/** Files only: tables, hashtags and mentions are part of the text already; a link attachment links to its address. */
function attachment(a: NoteAttachmentRecord): string {
  const name = a.name ?? a.identifier ?? 'attachment';
  const href = fileHref(a.file);
  if (href !== null && isWebImage(a.file))
    return `<a href=${attr(href)}><img class="att" loading="lazy" src=${attr(href)} alt=${attr(name)}></a>`;
  if (href !== null) return `<span>📎 ${fileLink(a.file, name)}</span>`;
  if (a.uti === 'public.url') return `<span>🔗 ${webLink(a.name)}</span>`;
  if (a.storedPath !== null) return `<span class="muted">📎 ${text(name)} (not in the backup)</span>`;
  return '';
}

/** A note deleted on the phone outside Recently Deleted (NoteRecord.markedForDeletion): said as what it is. */
const MARKED_FOR_DELETION = '<span class="mark recently-deleted">Marked for deletion</span>';

function noteCard(note: NoteRecord): string {
  const where =
    [note.account, note.folder].filter(Boolean).join(' › ') +
    (note.store === 'notes.sqlite' ? ' (notes.sqlite, iOS 8 and earlier)' : '');
  const badges = [
    note.pinned ? '<span class="badge">📌 Pinned</span>' : '',
    note.locked ? '<span class="badge">🔒 Locked</span>' : '',
  ].join('');
  const body = note.locked
    ? '<div class="muted">Locked with its own password: the text is encrypted and was not exported.</div>'
    : `<div class="text">${text(preview(note))}</div>`;
  const files = (note.attachments ?? []).map(attachment).filter(Boolean);
  const dates = [
    note.created ? `created ${dateTime(note.created)}` : '',
    note.modified ? `modified ${dateTime(note.modified)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const links = [
    fileHref(note.file) !== null ? fileLink(note.file, 'open note') : '',
    fileHref(note.markdownFile) !== null ? fileLink(note.markdownFile, 'Markdown') : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    `<div ${itemAttributes(note.origin, 'card note')}><div class="name">${text(note.title || 'Untitled')}${note.markedForDeletion ? MARKED_FOR_DELETION : originMark(note.origin)}${badges}</div>` +
    `<div class="muted">${text(where)}</div>${body}` +
    `${files.length > 0 ? `<div class="attachments">${files.join(' ')}</div>` : ''}` +
    `<div class="muted">${dates}${dates && links ? ' · ' : ''}${links}</div></div>\n`
  );
}

export const notesSection: ReportSection = {
  render: (context) => recordCards<NoteRecord>(context, `${context.folder}/notes.json`, 'cards', noteCard),
};
