import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import { fromAppleSeconds } from '../apple-time.js';
import type { NoteRecord } from '../records.js';
import { column, hasTable, quote, tableColumns, textValue } from '../schema.js';
import { decodeNoteBody, type NoteBody } from './note-body.js';

/**
 * NoteStore.sqlite (iOS 9+, AppDomainGroup-group.com.apple.notes): every Core Data entity in one wide
 * ZICCLOUDSYNCINGOBJECT table, told apart by Z_ENT (numbers from Z_PRIMARYKEY: ICNote, ICFolder, ICAccount,
 * ICAttachment, ICMedia); bodies in ZICNOTEDATA.ZDATA. Column names moved between versions, so each is detected:
 * creation date ZCREATIONDATE3 (iOS 15+), ZCREATIONDATE1 (earlier) or ZCREATIONDATE; modification date
 * ZMODIFICATIONDATE1; the note's account ZACCOUNT7 (iOS 16+), ZACCOUNT4 (15), ZACCOUNT3 (13–14), ZACCOUNT2 (≤ 12)
 * — the folder's ZOWNER is used first, as it has not moved; the folder ZFOLDER, or on iOS 11 a Z_<n>NOTES join
 * table. Folder names are ZTITLE2, ZFOLDERTYPE 1 is an account's Recently Deleted; account names ZNAME.
 */
export const NOTE_STORE = { domain: 'AppDomainGroup-group.com.apple.notes', relativePath: 'NoteStore.sqlite' } as const;

const TRASH_FOLDER = 1;

export interface NoteStoreAccount {
  pk: number;
  name: string | null;
  /** Names the account's folder in the backup: `Accounts/<identifier>/Media/…`. */
  identifier: string | null;
}

export interface NoteStoreFolder {
  pk: number;
  title: string | null;
  account: number | null;
  trash: boolean;
  parent: number | null;
}

/** Entity numbers by name, from Z_PRIMARYKEY (empty when the table is missing). */
export function noteEntities(db: Database.Database): Map<string, number> {
  if (!hasTable(db, 'Z_PRIMARYKEY')) return new Map();
  const rows = db.prepare('SELECT Z_ENT AS ent, Z_NAME AS name FROM Z_PRIMARYKEY').all() as Array<{
    ent: number;
    name: string;
  }>;
  return new Map(rows.map((r) => [r.name, r.ent]));
}

/** A filter on Z_ENT for an entity, or the fallback condition when the store does not say its number. */
function entityFilter(entities: Map<string, number>, name: string, fallback: string): string {
  const ent = entities.get(name);
  return ent === undefined ? fallback : `o.Z_ENT = ${Number(ent)}`;
}

export function readNoteAccounts(db: Database.Database, entities: Map<string, number>): Map<number, NoteStoreAccount> {
  const cols = tableColumns(db, 'ZICCLOUDSYNCINGOBJECT');
  if (!cols.has('ZNAME')) return new Map();
  const where = entityFilter(
    entities,
    'ICAccount',
    `o.ZNAME IS NOT NULL AND ${cols.has('ZACCOUNTTYPE') ? 'o.ZACCOUNTTYPE IS NOT NULL' : '1'}`,
  );
  const rows = db
    .prepare(
      `SELECT o.Z_PK AS pk, o.ZNAME AS name, ${column(cols, 'o', 'ZIDENTIFIER', 'identifier')} FROM ZICCLOUDSYNCINGOBJECT o WHERE ${where}`,
    )
    .all() as Array<{ pk: number; name: unknown; identifier: unknown }>;
  return new Map(rows.map((r) => [r.pk, { pk: r.pk, name: textValue(r.name), identifier: textValue(r.identifier) }]));
}

export function readNoteFolders(db: Database.Database, entities: Map<string, number>): Map<number, NoteStoreFolder> {
  const cols = tableColumns(db, 'ZICCLOUDSYNCINGOBJECT');
  if (!cols.has('ZTITLE2')) return new Map();
  const where = entityFilter(entities, 'ICFolder', 'o.ZTITLE2 IS NOT NULL');
  const rows = db
    .prepare(`SELECT o.Z_PK AS pk, o.ZTITLE2 AS title, ${column(cols, 'o', 'ZOWNER', 'account')}, ${column(cols, 'o', 'ZFOLDERTYPE', 'type')},
      ${column(cols, 'o', 'ZPARENT', 'parent')} FROM ZICCLOUDSYNCINGOBJECT o WHERE ${where}`)
    .all() as Array<{
    pk: number;
    title: unknown;
    account: number | null;
    type: number | null;
    parent: number | null;
  }>;
  return new Map(
    rows.map((r) => [
      r.pk,
      { pk: r.pk, title: textValue(r.title), account: r.account, trash: r.type === TRASH_FOLDER, parent: r.parent },
    ]),
  );
}

/** Folder names from the top for a nested folder (a parent loop or a missing parent ends the chain). */
export function folderPath(folders: Map<number, NoteStoreFolder>, pk: number | null): string[] {
  const names: string[] = [];
  const seen = new Set<number>();
  for (
    let at = pk === null ? undefined : folders.get(pk);
    at !== undefined && !seen.has(at.pk);
    at = at.parent === null ? undefined : folders.get(at.parent)
  ) {
    seen.add(at.pk);
    names.unshift(at.title ?? `Folder ${at.pk}`);
  }
  return names;
}

/** iOS 11 keeps note→folder in a join table `Z_<n>NOTES (Z_<n>FOLDERS, Z_<m>NOTES)`; its folder per note. */
function joinTableFolders(db: Database.Database): Map<number, number> {
  const map = new Map<number, number>();
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'Z_[0-9]*NOTES'")
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const cols = [...tableColumns(db, name)];
    const folderCol = cols.find((c) => /^Z_\d+FOLDERS$/.test(c));
    const noteCol = cols.find((c) => /^Z_\d+NOTES$/.test(c));
    if (!folderCol || !noteCol) continue;
    for (const r of db
      .prepare(`SELECT ${quote(noteCol)} AS note, ${quote(folderCol)} AS folder FROM ${quote(name)}`)
      .iterate() as IterableIterator<{ note: number; folder: number }>)
      map.set(r.note, r.folder);
  }
  return map;
}

/** A note row as read, with its decoded body (null when locked, missing or undecodable). */
export interface NoteStoreRow {
  record: NoteRecord;
  body: NoteBody | null;
  /** Folder names from the top, for the output folder. */
  folderPath: string[];
  /** Names the account's folder in the backup, where attachments are. */
  accountIdentifier: string | null;
}

const ACCOUNT_COLUMNS = ['ZACCOUNT7', 'ZACCOUNT4', 'ZACCOUNT3', 'ZACCOUNT2'];

/** The SQL expression for the first of several columns a version has, or NULL. */
export function firstColumn(cols: Set<string>, qualifier: string, names: string[]): string {
  const present = names.filter((n) => cols.has(n)).map((n) => `${qualifier}.${quote(n)}`);
  return present.length === 0 ? 'NULL' : present.length === 1 ? present[0]! : `coalesce(${present.join(', ')})`;
}

/**
 * Every note of a NoteStore.sqlite, by modification date, with its folder, account and decoded body. Locked notes
 * and bodies that do not decode come back with body null and a warning; notes in Recently Deleted (or marked for
 * deletion) with origin 'recently-deleted'.
 */
export function* readStoreNotes(db: Database.Database, warn: (message: string) => void): Generator<NoteStoreRow> {
  const cols = tableColumns(db, 'ZICCLOUDSYNCINGOBJECT');
  const dataCols = tableColumns(db, 'ZICNOTEDATA');
  if (cols.size === 0 || dataCols.size === 0)
    throw unsupportedSchema(db, 'NoteStore.sqlite', 'ZICCLOUDSYNCINGOBJECT/ZICNOTEDATA tables');
  const entities = noteEntities(db);
  const accounts = readNoteAccounts(db, entities);
  const folders = readNoteFolders(db, entities);
  const joinFolders = cols.has('ZFOLDER') ? new Map<number, number>() : joinTableFolders(db);
  const data = dataCols.has('ZNOTE')
    ? '(SELECT d.ZDATA FROM ZICNOTEDATA d WHERE d.ZNOTE = o.Z_PK ORDER BY d.Z_PK DESC LIMIT 1)'
    : cols.has('ZNOTEDATA')
      ? '(SELECT d.ZDATA FROM ZICNOTEDATA d WHERE d.Z_PK = o.ZNOTEDATA)'
      : 'NULL';
  const where = entityFilter(
    entities,
    'ICNote',
    dataCols.has('ZNOTE') ? 'o.Z_PK IN (SELECT ZNOTE FROM ZICNOTEDATA)' : 'o.ZNOTEDATA IS NOT NULL',
  );
  const modified = firstColumn(cols, 'o', ['ZMODIFICATIONDATE1', 'ZMODIFICATIONDATE']);
  const sql = `SELECT o.Z_PK AS id, ${column(cols, 'o', 'ZIDENTIFIER', 'identifier')}, ${column(cols, 'o', 'ZTITLE1', 'title')}, ${column(cols, 'o', 'ZSNIPPET', 'snippet')},
      ${firstColumn(cols, 'o', ['ZCREATIONDATE3', 'ZCREATIONDATE1', 'ZCREATIONDATE'])} AS created, ${modified} AS modified,
      ${column(cols, 'o', 'ZFOLDER', 'folder')}, ${firstColumn(cols, 'o', ACCOUNT_COLUMNS)} AS account, ${column(cols, 'o', 'ZISPINNED', 'pinned')},
      ${column(cols, 'o', 'ZISPASSWORDPROTECTED', 'locked')}, ${column(cols, 'o', 'ZMARKEDFORDELETION', 'marked')}, ${data} AS data
    FROM ZICCLOUDSYNCINGOBJECT o WHERE ${where} ORDER BY ${modified}, o.Z_PK`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const id = Number(r.id);
    const folderPk = r.folder === null ? (joinFolders.get(id) ?? null) : Number(r.folder);
    const folder = folderPk === null ? undefined : folders.get(folderPk);
    const account = accounts.get(Number(folder?.account ?? r.account ?? -1)) ?? accounts.get(Number(r.account ?? -1));
    const path = folder === undefined ? [] : folderPath(folders, folder.pk);
    const locked = Number(r.locked) === 1;
    let body: NoteBody | null = null;
    const title = typeof r.title === 'string' ? r.title : null;
    if (locked)
      warn(`note ${id} "${title ?? ''}" is locked with its own password: listed, its body (encrypted) is not exported`);
    else if (Buffer.isBuffer(r.data)) {
      try {
        body = decodeNoteBody(r.data);
      } catch (error) {
        warn(`note ${id} "${title ?? ''}": body unreadable (${(error as Error).message})`);
      }
    }
    yield {
      record: {
        origin: folder?.trash || Number(r.marked) === 1 ? 'recently-deleted' : 'live',
        ...(Number(r.marked) === 1 && !folder?.trash ? { markedForDeletion: true as const } : {}),
        id,
        identifier: typeof r.identifier === 'string' ? r.identifier : null,
        store: 'NoteStore.sqlite',
        account: account?.name ?? null,
        folder: folder === undefined ? null : path.join('/'),
        title,
        snippet: typeof r.snippet === 'string' ? r.snippet : null,
        text: null,
        created: fromAppleSeconds(r.created)?.toISOString() ?? null,
        modified: fromAppleSeconds(r.modified)?.toISOString() ?? null,
        pinned: Number(r.pinned) === 1,
        locked,
        attachments: [],
        file: null,
        markdownFile: null,
      },
      body,
      folderPath: path,
      accountIdentifier: account?.identifier ?? null,
    };
  }
}
