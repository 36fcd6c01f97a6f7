import type Database from 'better-sqlite3';
import type { BackupReader } from '../../backup/index.js';
import { fromAppleSeconds } from '../apple-time.js';
import type { NoteAttachmentRef } from './note-body.js';
import { isImageUti, type NoteAttachmentKind, type NoteAttachmentView } from './note-entry.js';
import { decodeNoteTable, type NoteTable } from './note-table.js';
import { column, tableColumns } from '../schema.js';
import { firstColumn } from './note-store-db.js';

const TABLE_UTI = 'com.apple.notes.table';
const INLINE_PREFIX = 'com.apple.notes.inlinetextattachment';
const URL_UTI = 'public.url';

/**
 * Resolves the attachments a note's body names (AttachmentInfo.attachment_identifier = the attachment row's
 * ZIDENTIFIER) to what they are: a file kept by its ICMedia row (ZMEDIA → ZFILENAME, stored in the app group under
 * `Accounts/<account ZIDENTIFIER>/Media/<media ZIDENTIFIER>/[<ZGENERATION1>/]<ZFILENAME>`), a table (its CRDT in
 * ZMERGEABLEDATA1, ZMERGEABLEDATA before iOS 13), a URL (ZURLSTRING), or an inline attachment (hashtag, mention:
 * ZTYPEUTI1 and ZALTTEXT).
 */
export class NoteAttachmentResolver {
  private readonly byIdentifier: Database.Statement | null;

  constructor(
    db: Database.Database,
    private readonly reader: BackupReader,
    private readonly domain: string,
    private readonly warn: (message: string) => void,
  ) {
    const cols = tableColumns(db, 'ZICCLOUDSYNCINGOBJECT');
    this.byIdentifier = !cols.has('ZIDENTIFIER')
      ? null
      : db.prepare(`SELECT a.Z_PK AS pk,
        ${firstColumn(cols, 'a', ['ZTYPEUTI', 'ZTYPEUTI1'])} AS uti, ${firstColumn(cols, 'a', ['ZUSERTITLE', 'ZTITLE'])} AS title,
        ${column(cols, 'a', 'ZALTTEXT', 'altText')}, ${column(cols, 'a', 'ZURLSTRING', 'url')},
        ${firstColumn(cols, 'a', ['ZMODIFICATIONDATE', 'ZMODIFICATIONDATE1'])} AS modified,
        ${firstColumn(cols, 'a', ['ZMERGEABLEDATA1', 'ZMERGEABLEDATA'])} AS mergeable,
        ${cols.has('ZMEDIA') ? 'm.ZIDENTIFIER' : 'NULL'} AS mediaIdentifier, ${cols.has('ZMEDIA') ? firstColumn(cols, 'm', ['ZFILENAME']) : 'NULL'} AS filename,
        ${cols.has('ZMEDIA') ? firstColumn(cols, 'm', ['ZGENERATION1', 'ZGENERATION']) : 'NULL'} AS generation
      FROM ZICCLOUDSYNCINGOBJECT a ${cols.has('ZMEDIA') ? 'LEFT JOIN ZICCLOUDSYNCINGOBJECT m ON m.Z_PK = a.ZMEDIA' : ''}
      WHERE a.ZIDENTIFIER = ? LIMIT 1`);
  }

  /** The attachment's view; a row that is gone still gives a record (its identifier and the body's UTI). */
  async resolve(ref: NoteAttachmentRef, accountIdentifier: string | null, noteId: number): Promise<NoteAttachmentView> {
    const row = this.byIdentifier?.get(ref.identifier) as Record<string, unknown> | undefined;
    const uti = (typeof row?.uti === 'string' ? row.uti : null) ?? ref.uti;
    const text = (name: unknown): string | null => (typeof name === 'string' && name !== '' ? name : null);
    const filename = text(row?.filename);
    const view: NoteAttachmentView = {
      record: {
        identifier: ref.identifier,
        uti,
        name: filename ?? text(row?.title) ?? text(row?.altText) ?? text(row?.url),
        storedPath: null,
        file: null,
      },
      kind: 'other',
      table: null,
      text: text(row?.altText),
      url: text(row?.url),
      source: null,
      modified: fromAppleSeconds(row?.modified),
    };
    if (uti?.startsWith(INLINE_PREFIX)) return { ...view, kind: 'inline' };
    if (uti === URL_UTI && view.url !== null) return { ...view, kind: 'link' };
    if (uti === TABLE_UTI) {
      const table = Buffer.isBuffer(row?.mergeable) ? this.table(row.mergeable, noteId) : null;
      return { ...view, kind: table ? 'table' : 'other', table };
    }
    const mediaIdentifier = text(row?.mediaIdentifier);
    if (mediaIdentifier === null || filename === null) return view;
    const found = await this.locate(accountIdentifier, mediaIdentifier, text(row?.generation), filename);
    const kind: NoteAttachmentKind = isImageUti(uti) ? 'image' : 'file';
    if (found === null) {
      this.warn(`attachment ${filename} of note ${noteId} is not in the backup`);
      const guess =
        accountIdentifier === null ? null : `Accounts/${accountIdentifier}/Media/${mediaIdentifier}/${filename}`;
      return { ...view, kind, record: { ...view.record, storedPath: guess } };
    }
    return {
      ...view,
      kind,
      source: { domain: this.domain, relativePath: found },
      record: { ...view.record, storedPath: found },
    };
  }

  private table(data: Buffer, noteId: number): NoteTable | null {
    try {
      return decodeNoteTable(data);
    } catch (error) {
      this.warn(`a table in note ${noteId} is unreadable: ${(error as Error).message}`);
      return null;
    }
  }

  /** The media file's path in the backup: the usual places first, then any `…/Media/<media id>/…/<name>`. */
  private async locate(
    account: string | null,
    media: string,
    generation: string | null,
    filename: string,
  ): Promise<string | null> {
    const candidates =
      account === null
        ? []
        : [
            ...(generation === null ? [] : [`Accounts/${account}/Media/${media}/${generation}/${filename}`]),
            `Accounts/${account}/Media/${media}/${filename}`,
          ];
    for (const path of candidates) if (this.reader.get(this.domain, path)?.kind === 'file') return path;
    // Glob characters in a name would widen the search: only plain identifiers are searched for.
    if (!/^[A-Za-z0-9_-]+$/.test(media)) return null;
    for await (const entry of this.reader.files({ domain: this.domain, match: `**/Media/${media}/**` })) {
      if (entry.kind === 'file' && entry.relativePath.endsWith(`/${filename}`)) return entry.relativePath;
    }
    return null;
  }
}
