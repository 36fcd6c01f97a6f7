import { utimes } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { dateFlag } from '../date-check.js';
import { readable } from '../copy-entry.js';
import { csvRow } from '../exporters/csv.js';
import { noteHtml } from '../exporters/note-html.js';
import { noteMarkdown } from '../exporters/note-markdown.js';
import { TextSink } from '../exporters/text-sink.js';
import { defineExtractor, inRange, source, type ExtractContext, type ScanCounts } from '../extractor.js';
import { LEGACY_NOTES, readLegacyNotes } from '../notes/legacy-notes.js';
import { NoteAttachmentResolver } from '../notes/note-attachments.js';
import type { NoteBody } from '../notes/note-body.js';
import { noteText, type NoteAttachmentView, type NoteEntry } from '../notes/note-entry.js';
import { firstColumn, NOTE_STORE, noteEntities, readNoteAccounts, readStoreNotes } from '../notes/note-store-db.js';
import { readRecoveredNotes } from '../notes/recovered-notes.js';
import { sanitizeFileName } from '../output-folder.js';
import type { NoteRecord } from '../records.js';
import { deletedByCoreDataMax, hasTable, tableColumns } from '../schema.js';
import { notesSection } from '../report/sections/notes.js';

/** Output folders for notes the live database no longer has. */
const RECOVERED_FOLDER = 'Recovered deleted notes';
const LEGACY_FOLDER = 'Legacy notes (notes.sqlite)';

const CSV_HEADER = [
  'id',
  'identifier',
  'origin',
  'store',
  'account',
  'folder',
  'title',
  'created',
  'modified',
  'pinned',
  'locked',
  'attachments',
  'text',
  'file',
  'date_unclear',
];

/** SQL counts of a NoteStore.sqlite: notes, those in Recently Deleted, modification dates, purged bodies. */
function scanNoteStore(db: Database.Database): Omit<ScanCounts, 'bytes'> {
  const cols = tableColumns(db, 'ZICCLOUDSYNCINGOBJECT');
  if (cols.size === 0 || !hasTable(db, 'ZICNOTEDATA'))
    return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null };
  const entities = noteEntities(db);
  const noteEnt = entities.get('ICNote');
  const folderEnt = entities.get('ICFolder');
  const where =
    noteEnt !== undefined
      ? `n.Z_ENT = ${Number(noteEnt)}`
      : cols.has('ZNOTEDATA')
        ? 'n.ZNOTEDATA IS NOT NULL'
        : 'n.Z_PK IN (SELECT ZNOTE FROM ZICNOTEDATA)';
  const modified = firstColumn(cols, 'n', ['ZMODIFICATIONDATE1', 'ZMODIFICATIONDATE']);
  const trash =
    cols.has('ZFOLDER') && cols.has('ZFOLDERTYPE')
      ? `n.ZFOLDER IN (SELECT f.Z_PK FROM ZICCLOUDSYNCINGOBJECT f WHERE f.ZFOLDERTYPE = 1${folderEnt === undefined ? '' : ` AND f.Z_ENT = ${Number(folderEnt)}`})`
      : '0';
  const marked = cols.has('ZMARKEDFORDELETION') ? 'n.ZMARKEDFORDELETION = 1' : '0';
  const row = db
    .prepare(`SELECT count(*) AS n, min(${modified}) AS first, max(${modified}) AS last, sum(CASE WHEN ${trash} OR ${marked} THEN 1 ELSE 0 END) AS deleted
    FROM ZICCLOUDSYNCINGOBJECT n WHERE ${where}`)
    .get() as { n: number; first: number | null; last: number | null; deleted: number | null };
  const bodies = (db.prepare('SELECT count(*) AS n FROM ZICNOTEDATA').get() as { n: number }).n;
  return {
    count: row.n,
    recentlyDeleted: row.deleted ?? 0,
    purged: deletedByCoreDataMax(db, 'ICNoteData', bodies),
    firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
    lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
  };
}

function scanLegacy(db: Database.Database): Omit<ScanCounts, 'bytes'> {
  const cols = tableColumns(db, 'ZNOTE');
  if (cols.size === 0) return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null };
  const date = cols.has('ZMODIFICATIONDATE') ? 'ZMODIFICATIONDATE' : 'NULL';
  const row = db
    .prepare(
      `SELECT count(*) AS n, min(${date}) AS first, max(${date}) AS last, ${cols.has('ZDELETEDFLAG') ? 'sum(ZDELETEDFLAG = 1)' : 'NULL'} AS deleted FROM ZNOTE`,
    )
    .get() as { n: number; first: number | null; last: number | null; deleted: number | null };
  return {
    count: row.n,
    recentlyDeleted: row.deleted,
    purged: deletedByCoreDataMax(db, 'Note', row.n),
    firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
    lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
  };
}

/** Sum of two stores' counts (a backup of an upgraded phone can hold both). */
function combine(a: ScanCounts | null, b: ScanCounts): ScanCounts {
  if (a === null) return b;
  const add = (x: number | null, y: number | null): number | null =>
    x === null && y === null ? null : (x ?? 0) + (y ?? 0);
  const pick = (x: string | null, y: string | null, f: (p: string, q: string) => string): string | null =>
    x === null ? y : y === null ? x : f(x, y);
  return {
    count: a.count + b.count,
    recentlyDeleted: add(a.recentlyDeleted, b.recentlyDeleted),
    purged: add(a.purged, b.purged),
    bytes: a.bytes + b.bytes,
    firstDate: pick(a.firstDate, b.firstDate, (p, q) => (p < q ? p : q)),
    lastDate: pick(a.lastDate, b.lastDate, (p, q) => (p > q ? p : q)),
  };
}

/**
 * Writes one note's page, Markdown and attachments, and its lines in notes.json and notes.csv. Folders are made
 * unique case-insensitively (macOS and Windows folders are), names sanitised and confined by the OutputFolder.
 */
class NotesWriter {
  records = 0;
  files = 2;
  private readonly folders = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(
    private readonly context: ExtractContext,
    private readonly json: TextSink,
    private readonly csv: TextSink,
  ) {}

  /** `notes/<a>/<b>` for folder names [a, b], each sanitised; two folders whose names clash get "(2)". */
  folder(path: string[]): string {
    const segments = path.length === 0 ? ['Unfiled'] : path;
    const key = segments.map((s) => s.normalize('NFC').toLowerCase()).join('\u0000');
    const known = this.folders.get(key);
    if (known) return known;
    const parent = segments.length > 1 ? this.folder(segments.slice(0, -1)) : 'notes';
    const base = sanitizeFileName(segments[segments.length - 1]!, 'Folder');
    let name = base;
    // A folder may not take the name of a note folder's attachments, or of notes.json/notes.csv beside it.
    const reserved = (candidate: string): boolean =>
      candidate.toLowerCase() === 'attachments' || (parent === 'notes' && /^notes\.(json|csv)$/i.test(candidate));
    for (let n = 2; this.taken.has(`${parent}/${name}`.toLowerCase()) || reserved(name); n++) name = `${base} (${n})`;
    this.taken.add(`${parent}/${name}`.toLowerCase());
    const dir = `${parent}/${name}`;
    this.folders.set(key, dir);
    return dir;
  }

  async write(entry: NoteEntry): Promise<void> {
    const { out, reader } = this.context;
    const note = entry.record;
    const dir = this.folder(entry.folderPath);
    Object.assign(note, dateFlag(note.created, note.modified));
    const mtime = note.modified ? new Date(note.modified) : note.created ? new Date(note.created) : undefined;
    for (const view of entry.attachments.values()) {
      if (view.source === null) continue;
      const entryInBackup = reader.get(view.source.domain, view.source.relativePath);
      if (entryInBackup === undefined || !readable(this.context, entryInBackup)) continue;
      view.record.file = out.uniquePath(
        `${dir}/attachments`,
        view.record.name ?? view.source.relativePath.slice(view.source.relativePath.lastIndexOf('/') + 1),
      );
      await out.writeStream(view.record.file, await reader.openFile(entryInBackup), view.modified ?? mtime);
      this.files++;
    }
    const views = [...entry.attachments.values()];
    note.attachments = views.map((v) => v.record);
    note.text = note.locked || entry.body === null ? null : noteText(entry.body, entry.attachments);
    // The title is cut to 150 bytes first, so the name's own limit (180) never cuts off ".html".
    let title = note.title?.trim().replace(/\s+/g, ' ') || 'Untitled note';
    while (Buffer.byteLength(title, 'utf8') > 150) title = [...title].slice(0, -1).join('');
    note.file = out.uniquePath(dir, `${title}.html`);
    note.markdownFile = out.uniquePath(dir, `${note.file.slice(dir.length + 1, -'.html'.length)}.md`);
    const page = note.file;
    const href = (file: string): string => out.relativeTo(page, file).split('/').map(encodeURIComponent).join('/');
    const lookup = (identifier: string): NoteAttachmentView | undefined => entry.attachments.get(identifier);
    await this.writeDated(note.file, noteHtml(note, entry.body, lookup, href), mtime);
    await this.writeDated(note.markdownFile, noteMarkdown(note, entry.body, lookup, href), mtime);
    this.files += 2;
    await this.json.write(`${this.records === 0 ? '' : ','}\n  ${JSON.stringify(note)}`);
    await this.csv.write(
      csvRow([
        note.id,
        note.identifier,
        note.origin,
        note.store,
        note.account,
        note.folder,
        note.title,
        note.created,
        note.modified,
        note.pinned,
        note.locked,
        note.attachments.length,
        note.text,
        note.file,
        note.dateSuspect ?? false,
      ]),
    );
    this.records++;
  }

  private async writeDated(relativePath: string, text: string, mtime: Date | undefined): Promise<void> {
    const path = await this.context.out.writeFile(relativePath, text);
    if (mtime) await utimes(path, mtime, mtime);
  }
}

/** The attachments a body names, resolved once each, in the order they appear. */
async function resolveAttachments(
  body: NoteBody | null,
  resolver: NoteAttachmentResolver | null,
  account: string | null,
  noteId: number,
): Promise<Map<string, NoteAttachmentView>> {
  const views = new Map<string, NoteAttachmentView>();
  if (body === null || resolver === null) return views;
  for (const run of body.runs) {
    if (run.attachment && !views.has(run.attachment.identifier))
      views.set(run.attachment.identifier, await resolver.resolve(run.attachment, account, noteId));
  }
  return views;
}

function dateOf(note: NoteRecord): string | null {
  return note.modified ?? note.created;
}

export const notesExtractor = defineExtractor({
  type: 'notes',
  label: 'Notes',
  saves: 'notes (HTML/Markdown with their attachments)',
  sources: [
    source(NOTE_STORE, '9+'),
    { domain: NOTE_STORE.domain, path: 'Accounts/*/Media/**', ios: '9+' },
    source(LEGACY_NOTES, '≤ 8'),
  ],
  outputs: ['notes.json', 'notes.csv', '<folder>/<title>.html', '<folder>/<title>.md', '<folder>/attachments/<name>'],
  records: ['NoteRecord'],
  section: notesSection,

  async scan({ reader, work }) {
    let counts: ScanCounts | null = null;
    const modern = await work.openDatabase(reader, NOTE_STORE.domain, NOTE_STORE.relativePath);
    if (modern !== undefined) counts = { ...scanNoteStore(modern.db), bytes: modern.bytes };
    const legacy = await work.openDatabase(reader, LEGACY_NOTES.domain, LEGACY_NOTES.relativePath);
    if (legacy !== undefined) counts = combine(counts, { ...scanLegacy(legacy.db), bytes: legacy.bytes });
    return counts;
  },

  /**
   * notes/notes.json and notes.csv (every note: folder, account, title, text, dates, flags, attachments), and per
   * note notes/<folder>/<title>.html and .md (mtime = the note's modification date) with its attachments copied to
   * notes/<folder>/attachments/. Then the legacy notes.sqlite's notes, then deleted notes the carver rebuilds.
   */
  async extract(context) {
    const { reader, work, out, range, warn } = context;
    const modern = await work.openDatabase(reader, NOTE_STORE.domain, NOTE_STORE.relativePath);
    const legacy = await work.openDatabase(reader, LEGACY_NOTES.domain, LEGACY_NOTES.relativePath);
    if (modern === undefined && legacy === undefined) return null;
    const json = new TextSink(await out.absolute('notes/notes.json'));
    const csv = new TextSink(await out.absolute('notes/notes.csv'));
    await json.write('[');
    await csv.write(csvRow(CSV_HEADER));
    const writer = new NotesWriter(context, json, csv);
    try {
      const resolver =
        modern !== undefined && hasTable(modern.db, 'ZICCLOUDSYNCINGOBJECT')
          ? new NoteAttachmentResolver(modern.db, reader, NOTE_STORE.domain, warn)
          : null;
      if (modern !== undefined) {
        const byAccount = readNoteAccounts(modern.db, noteEntities(modern.db)).size > 1;
        for (const row of readStoreNotes(modern.db, warn)) {
          context.signal?.throwIfAborted();
          if (!inRange(range, dateOf(row.record))) continue;
          const attachments = await resolveAttachments(row.body, resolver, row.accountIdentifier, row.record.id);
          const folderPath =
            byAccount && row.record.account !== null ? [row.record.account, ...row.folderPath] : row.folderPath;
          await writer.write({ record: row.record, body: row.body, attachments, folderPath });
        }
      }
      if (legacy !== undefined) {
        for (const row of readLegacyNotes(legacy.db)) {
          if (inRange(range, dateOf(row.record)))
            await writer.write({
              record: row.record,
              body: row.body,
              attachments: new Map(),
              folderPath: [LEGACY_FOLDER, ...row.folderPath],
            });
        }
      }
      // Then the notes deleted for good that the carver finds, after the live ones and marked origin "recovered".
      if (modern !== undefined && hasTable(modern.db, 'ZICNOTEDATA') && hasTable(modern.db, 'ZICCLOUDSYNCINGOBJECT')) {
        for (const note of await readRecoveredNotes(modern.path, modern.db, warn)) {
          if (!inRange(range, dateOf(note.record))) continue;
          // Its attachments' rows were usually deleted with it; what is still there is listed (and copied when the
          // backup has it).
          const attachments = await resolveAttachments(note.body, resolver, null, note.record.id);
          await writer.write({ record: note.record, body: note.body, attachments, folderPath: [RECOVERED_FOLDER] });
        }
      }
    } finally {
      await json.write(writer.records === 0 ? ']\n' : '\n]\n');
      await json.close();
      await csv.close();
    }
    return { records: writer.records, files: writer.files };
  },
});
