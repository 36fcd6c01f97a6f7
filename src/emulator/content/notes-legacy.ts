import { toAppleSeconds } from './apple-time.js';
import type { NoteStoreContent } from './notes.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthNote, TruthNoteFolder } from './truth.js';

/** Where Notes kept its database before iOS 9 (and where an upgraded phone's backup may still hold it). */
export const LEGACY_NOTES = { domain: 'HomeDomain', relativePath: 'Library/Notes/notes.sqlite' } as const;

/**
 * notes.sqlite of iOS 4–8: a Core Data store with ZNOTE (title, summary, dates as REAL seconds since 2001, ZBODY →
 * ZNOTEBODY, ZSTORE → ZSTORE, ZDELETEDFLAG, ZGUID), ZNOTEBODY.ZCONTENT holding the body as HTML, ZSTORE (a folder of an
 * account: ZNAME, ZACCOUNT) and ZACCOUNT (ZNAME). Column lists as forensic write-ups of iOS 5–8 devices show them.
 */
const LEGACY_NOTES_SCHEMA = `
CREATE TABLE ZACCOUNT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDEFAULTSTORE INTEGER,
  ZACCOUNTIDENTIFIER VARCHAR, ZNAME VARCHAR);
CREATE TABLE ZSTORE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZACCOUNT INTEGER, ZEXTERNALIDENTIFIER VARCHAR,
  ZNAME VARCHAR, ZSYNCANCHOR VARCHAR);
CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTAINSCJK INTEGER, ZCONTENTTYPE INTEGER,
  ZDELETEDFLAG INTEGER, ZEXTERNALFLAGS INTEGER, ZEXTERNALSEQUENCENUMBER INTEGER, ZEXTERNALSERVERINTID INTEGER,
  ZINTEGERID INTEGER, ZISBOOKKEEPINGENTRY INTEGER, ZBODY INTEGER, ZSTORE INTEGER, ZCREATIONDATE TIMESTAMP,
  ZMODIFICATIONDATE TIMESTAMP, ZAUTHOR VARCHAR, ZGUID VARCHAR, ZSERVERID VARCHAR, ZSUMMARY VARCHAR, ZTITLE VARCHAR);
CREATE INDEX ZNOTE_ZBODY_INDEX ON ZNOTE (ZBODY);
CREATE INDEX ZNOTE_ZSTORE_INDEX ON ZNOTE (ZSTORE);
CREATE TABLE ZNOTEBODY (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZOWNER INTEGER, ZCONTENT VARCHAR,
  ZEXTERNALCONTENTREF VARCHAR, ZEXTERNALREPRESENTATION BLOB);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The notebook as an iOS 8 or older phone could hold it: plain text notes (no attachments, checklists, pins, locks or
 * nested folders: those came with iOS 9's NoteStore), each account's trash a ZDELETEDFLAG on the note in its
 * account's first folder. The locked note is left out (there were none). The truth the extractor is compared with.
 */
export function legacyNotebook(content: NoteStoreContent): NoteStoreContent {
  const folders: TruthNoteFolder[] = content.folders.filter((f) => !f.trash).map((f) => ({ ...f, parentPk: null }));
  const firstFolder = (account: string): TruthNoteFolder => folders.find((f) => f.account === account)!;
  const plain = (note: TruthNote): TruthNote => {
    const paragraphs = note.paragraphs
      .filter((p) => p.text !== '\uFFFC')
      .map((p) => ({ style: 'body' as const, text: p.text }));
    const folder = note.recentlyDeleted ? firstFolder(note.account) : folders.find((f) => f.pk === note.folderPk)!;
    return {
      ...note,
      paragraphs,
      text: paragraphs.map((p) => p.text).join('\n'),
      folderPk: folder.pk,
      folder: folder.title,
      snippet: paragraphs.slice(1).find((p) => p.text.trim() !== '')?.text ?? null,
      pinned: false,
      locked: false,
      markedForDeletion: false,
      recentlyDeleted: note.recentlyDeleted || note.markedForDeletion,
      attachments: [],
    };
  };
  // ZNOTE and ZNOTEBODY have tables of their own here: their Z_PKs count from 1, in the order the notes were made.
  const kept = [...content.notes.filter((n) => !n.locked), ...content.deleted].sort((a, b) => a.pk - b.pk);
  const renumbered = new Map(kept.map((n, i) => [n.pk, i + 1]));
  const numbered = (n: TruthNote): TruthNote => ({
    ...plain(n),
    pk: renumbered.get(n.pk)!,
    noteDataPk: renumbered.get(n.pk)!,
  });
  return {
    accounts: content.accounts,
    folders,
    notes: content.notes.filter((n) => !n.locked).map(numbered),
    deleted: content.deleted.map(numbered),
  };
}

/** The body as the old app stored it: the first line, then one <div> per line (an empty line a <div><br></div>). */
function bodyHtml(note: TruthNote): string {
  return note.paragraphs.map((p) => `<div>${p.text === '' ? '<br>' : escapeHtml(p.text)}</div>`).join('');
}

/** notes.sqlite holding a legacyNotebook's notes; its deleted notes are written and removed again. */
export function buildLegacyNotesDb(content: NoteStoreContent): SqliteImage {
  const all = [...content.notes, ...content.deleted].sort((a, b) => a.pk - b.pk);
  return buildSqliteImage({
    schema: LEGACY_NOTES_SCHEMA,
    fill(db) {
      const account = db.prepare(
        'INSERT INTO ZACCOUNT (Z_PK, Z_ENT, Z_OPT, ZDEFAULTSTORE, ZACCOUNTIDENTIFIER, ZNAME) VALUES (?, 1, 1, ?, ?, ?)',
      );
      for (const a of content.accounts)
        account.run(a.pk, content.folders.find((f) => f.account === a.name)?.pk ?? null, a.identifier, a.name);
      const store = db.prepare(
        'INSERT INTO ZSTORE (Z_PK, Z_ENT, Z_OPT, ZACCOUNT, ZEXTERNALIDENTIFIER, ZNAME) VALUES (?, 4, 1, ?, ?, ?)',
      );
      for (const f of content.folders)
        store.run(f.pk, content.accounts.find((a) => a.name === f.account)!.pk, f.identifier, f.title);
      const note = db.prepare(
        `INSERT INTO ZNOTE (Z_PK, Z_ENT, Z_OPT, ZCONTAINSCJK, ZCONTENTTYPE, ZDELETEDFLAG, ZINTEGERID, ZISBOOKKEEPINGENTRY, ZBODY,
           ZSTORE, ZCREATIONDATE, ZMODIFICATIONDATE, ZGUID, ZSUMMARY, ZTITLE) VALUES (?, 2, 1, 0, 0, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const body = db.prepare('INSERT INTO ZNOTEBODY (Z_PK, Z_ENT, Z_OPT, ZOWNER, ZCONTENT) VALUES (?, 3, 1, ?, ?)');
      for (const n of all) {
        note.run(
          n.pk,
          n.recentlyDeleted ? 1 : 0,
          n.pk,
          n.noteDataPk,
          n.folderPk,
          toAppleSeconds(n.created),
          toAppleSeconds(n.modified),
          n.identifier,
          n.snippet,
          n.title,
        );
        body.run(n.noteDataPk, n.pk, bodyHtml(n));
      }
      const maxNote = all.reduce((m, n) => Math.max(m, n.pk), 0);
      const maxBody = all.reduce((m, n) => Math.max(m, n.noteDataPk), 0);
      const primaryKey = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (?, ?, 0, ?)');
      primaryKey.run(1, 'Account', content.accounts.length);
      primaryKey.run(2, 'Note', maxNote);
      primaryKey.run(3, 'NoteBody', maxBody);
      primaryKey.run(
        4,
        'Store',
        content.folders.reduce((m, f) => Math.max(m, f.pk), 0),
      );
      db.prepare("INSERT INTO Z_METADATA VALUES (1, '0D1E2F3A-4B5C-4D6E-8F70-81920A1B2C3D', NULL)").run();
    },
    remove(db) {
      const note = db.prepare('DELETE FROM ZNOTE WHERE Z_PK = ?');
      const body = db.prepare('DELETE FROM ZNOTEBODY WHERE Z_PK = ?');
      for (const n of content.deleted) {
        note.run(n.pk);
        body.run(n.noteDataPk);
      }
    },
  });
}
