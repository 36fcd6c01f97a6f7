import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { carvedRowsByTable } from '../carved-rows.js';
import type { NoteRecord } from '../records.js';
import { decodeNoteBody, type NoteBody } from './note-body.js';
import { folderPath, noteEntities, readNoteAccounts, readNoteFolders } from './note-store-db.js';

/** A deleted note the carver rebuilt. */
export interface RecoveredNote {
  record: NoteRecord;
  body: NoteBody | null;
  /** Folder names from the top when its folder is still live (for the record only: files go to the recovered folder).
   * */
  folderPath: string[];
}

const first = (...values: unknown[]): unknown => values.find((v) => v !== null && v !== undefined);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The body's first non-empty line: what Notes shows as the title when ZTITLE1 is gone too. */
function firstLine(body: NoteBody | null): string | null {
  return (
    body?.text
      .split('\n')
      .map((l) => l.replace(/\uFFFC/g, '').trim())
      .find((l) => l !== '') ?? null
  );
}

/**
 * Notes deleted for good whose ZICNOTEDATA rows the carver finds in NoteStore.sqlite's free space, -wal or journal.
 * A body is decoded only when its bytes are whole (gzip checks length and CRC-32, so a body whose overflow pages
 * were reused is refused); the note's title, dates, folder and flags come from its carved ZICCLOUDSYNCINGOBJECT
 * row when that survives too. A note whose row is live (by Z_PK or identifier) is never reported, and each note
 * once: by its Z_PK, else by its body. Notes whose metadata row survives without a body are listed with text null.
 */
export async function readRecoveredNotes(
  path: string,
  db: Database.Database,
  warn: (message: string) => void,
): Promise<RecoveredNote[]> {
  const entities = noteEntities(db);
  const noteEnt = entities.get('ICNote');
  const accounts = readNoteAccounts(db, entities);
  const folders = readNoteFolders(db, entities);
  const liveObject = db.prepare('SELECT 1 FROM ZICCLOUDSYNCINGOBJECT WHERE Z_PK = ?');
  const liveData = db.prepare('SELECT 1 FROM ZICNOTEDATA WHERE Z_PK = ?');
  const liveIdentifiers = new Set(
    (
      db.prepare('SELECT ZIDENTIFIER AS id FROM ZICCLOUDSYNCINGOBJECT WHERE ZIDENTIFIER IS NOT NULL').all() as Array<{
        id: string;
      }>
    ).map((r) => r.id),
  );

  // Carved note rows, by Z_PK and by the ZICNOTEDATA row they point to.
  const rowsByPk = new Map<number, Record<string, unknown>>();
  const rowsByData = new Map<number, Record<string, unknown>>();
  const carved = await carvedRowsByTable(path, ['ZICCLOUDSYNCINGOBJECT', 'ZICNOTEDATA']);
  for (const { row, rowid } of carved.get('ZICCLOUDSYNCINGOBJECT')!) {
    const pk = rowid ?? (typeof row.Z_PK === 'number' ? row.Z_PK : undefined);
    const isNote = noteEnt !== undefined ? row.Z_ENT === noteEnt : text(row.ZTITLE1) !== null;
    if (
      !isNote ||
      (pk !== undefined && liveObject.get(pk) !== undefined) ||
      (text(row.ZIDENTIFIER) !== null && liveIdentifiers.has(row.ZIDENTIFIER as string))
    )
      continue;
    if (pk !== undefined && !rowsByPk.has(pk)) rowsByPk.set(pk, row);
    if (typeof row.ZNOTEDATA === 'number' && !rowsByData.has(row.ZNOTEDATA)) rowsByData.set(row.ZNOTEDATA, row);
  }

  const found: RecoveredNote[] = [];
  const seen = new Set<string>();
  const usedRows = new Set<Record<string, unknown>>();
  const add = (notePk: number | undefined, meta: Record<string, unknown> | undefined, body: NoteBody | null): void => {
    if (meta) usedRows.add(meta);
    const folderPk = meta && typeof meta.ZFOLDER === 'number' ? meta.ZFOLDER : undefined;
    const folder = folderPk === undefined ? undefined : folders.get(folderPk);
    const path = folder === undefined ? [] : folderPath(folders, folder.pk);
    const account = accounts.get(
      Number(first(folder?.account, meta?.ZACCOUNT7, meta?.ZACCOUNT4, meta?.ZACCOUNT3, meta?.ZACCOUNT2) ?? -1),
    );
    const locked = Number(meta?.ZISPASSWORDPROTECTED) === 1;
    found.push({
      record: {
        origin: 'recovered',
        id: notePk ?? -1,
        identifier: text(meta?.ZIDENTIFIER),
        store: 'NoteStore.sqlite',
        account: account?.name ?? null,
        folder: path.length === 0 ? null : path.join('/'),
        title: text(meta?.ZTITLE1) ?? firstLine(body),
        snippet: text(meta?.ZSNIPPET),
        text: null,
        created:
          fromAppleSeconds(first(meta?.ZCREATIONDATE3, meta?.ZCREATIONDATE1, meta?.ZCREATIONDATE))?.toISOString() ??
          null,
        modified: fromAppleSeconds(first(meta?.ZMODIFICATIONDATE1, meta?.ZMODIFICATIONDATE))?.toISOString() ?? null,
        pinned: Number(meta?.ZISPINNED) === 1,
        locked,
        attachments: [],
        file: null,
        markdownFile: null,
      },
      body: locked ? null : body,
      folderPath: path,
    });
  };

  for (const { row, rowid } of carved.get('ZICNOTEDATA')!) {
    const dataPk = rowid ?? (typeof row.Z_PK === 'number' ? row.Z_PK : undefined);
    const notePk = typeof row.ZNOTE === 'number' ? row.ZNOTE : undefined;
    if (
      (dataPk !== undefined && liveData.get(dataPk) !== undefined) ||
      (notePk !== undefined && liveObject.get(notePk) !== undefined)
    )
      continue;
    if (!Buffer.isBuffer(row.ZDATA)) continue;
    let body: NoteBody;
    try {
      body = decodeNoteBody(row.ZDATA);
    } catch {
      continue; // not whole (overflow pages reused, or a freeblock header over its first bytes), or a locked note's ciphertext
    }
    const key =
      notePk !== undefined ? `note:${notePk}` : `body:${createHash('sha256').update(body.text).digest('hex')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const meta =
      (notePk === undefined ? undefined : rowsByPk.get(notePk)) ??
      (dataPk === undefined ? undefined : rowsByData.get(dataPk));
    add(notePk ?? (typeof meta?.Z_PK === 'number' ? meta.Z_PK : undefined), meta, body);
  }
  // Note rows whose body was not found (or not whole): still a deleted note, listed without its text.
  for (const [pk, row] of rowsByPk) {
    if (usedRows.has(row) || seen.has(`note:${pk}`)) continue;
    seen.add(`note:${pk}`);
    add(pk, row, null);
  }
  if (found.some((n) => n.body === null && !n.record.locked))
    warn(
      `${found.filter((n) => n.body === null && !n.record.locked).length} deleted note(s) found without a whole body: listed with their title only`,
    );
  return found.sort(
    (a, b) => (a.record.modified ?? '\uffff').localeCompare(b.record.modified ?? '\uffff') || a.record.id - b.record.id,
  );
}
