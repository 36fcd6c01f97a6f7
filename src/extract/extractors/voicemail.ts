import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import { fromAppleSeconds } from '../apple-time.js';
import { carvedRowsByTable } from '../carved-rows.js';
import { contactNames, phoneKey } from '../contact-names.js';
import { copyEntry, readable } from '../copy-entry.js';
import { RecordFiles } from '../exporters/record-files.js';
import { dateFlag } from '../date-check.js';
import { defineExtractor, inRange, source } from '../extractor.js';
import type { VoicemailRecord } from '../records.js';
import { column, deletedBySequence, hasTable, tableColumns } from '../schema.js';
import { voicemailSection } from '../report/sections/voicemail.js';

/**
 * HomeDomain `Library/Voicemail/voicemail.db` (iOS 4–18): table `voicemail` (ROWID, remote_uid, date in Unix
 * seconds, token, sender, callback_num, duration in seconds, expiration, trashed_date in seconds since 2001,
 * flags, receiver, label) and a `deleted` table of the same columns. The audio of ROWID n is
 * `Library/Voicemail/<n>.amr` (AMR-NB, "#!AMR\n"). Messages in the phone's Deleted Messages keep their row with
 * trashed_date set; iLEAPP also treats flags 75 as deleted.
 */
export const VOICEMAIL_DB = { domain: 'HomeDomain', relativePath: 'Library/Voicemail/voicemail.db' } as const;
const AUDIO_EXTENSIONS = ['.amr', '.m4a'] as const;
const TRASHED_FLAGS = 75;
const TABLES = ['voicemail', 'deleted'] as const;
const COLUMNS = ['remote_uid', 'date', 'sender', 'callback_num', 'duration', 'trashed_date', 'flags', 'receiver'];

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Unix seconds as ISO text; null when absent, or beyond what a Date holds (a crafted value: toISOString would throw). */
function unixIso(value: unknown): string | null {
  const seconds = num(value);
  const date = seconds === null || seconds <= 0 ? null : new Date(seconds * 1000);
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function voicemailRecord(
  r: Record<string, unknown>,
  table: VoicemailRecord['table'],
  id: number,
  origin?: VoicemailRecord['origin'],
): VoicemailRecord {
  const trashed = fromAppleSeconds(r.trashed_date)?.toISOString() ?? null;
  const flags = num(r.flags);
  return {
    origin:
      origin ?? (table === 'deleted' || trashed !== null || flags === TRASHED_FLAGS ? 'recently-deleted' : 'live'),
    id,
    table,
    remoteUid: num(r.remote_uid),
    date: unixIso(r.date),
    sender: str(r.sender),
    name: null,
    callbackNumber: str(r.callback_num),
    receiver: str(r.receiver),
    durationSeconds: num(r.duration),
    trashedDate: trashed,
    flags,
    file: null,
  };
}

/** Every row of `voicemail`, then of `deleted`, each by date. */
export function* readVoicemails(db: Database.Database): Generator<VoicemailRecord> {
  if (!hasTable(db, 'voicemail')) throw unsupportedSchema(db, 'voicemail.db', 'voicemail table');
  for (const table of TABLES) {
    const cols = tableColumns(db, table);
    if (cols.size === 0) continue;
    const sql = `SELECT t.ROWID AS id, ${COLUMNS.map((c) => column(cols, 't', c)).join(', ')} FROM ${table} t ORDER BY ${cols.has('date') ? 't.date, ' : ''}t.ROWID`;
    for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>)
      yield voicemailRecord(r, table, Number(r.id));
  }
}

/**
 * Voicemail rows deleted for good that the carver finds in voicemail.db's free space or journal. A row whose ROWID
 * is live, or whose (date, remote_uid) is a live row of either table, or that was already found, is skipped.
 */
export async function readRecoveredVoicemails(path: string, db: Database.Database): Promise<VoicemailRecord[]> {
  const live = new Set<string>();
  const liveIds = new Map<string, Set<number>>();
  for (const table of TABLES) {
    const cols = tableColumns(db, table);
    const ids = new Set<number>();
    liveIds.set(table, ids);
    if (cols.size === 0) continue;
    for (const r of db
      .prepare(`SELECT ROWID AS id, ${column(cols, 't', 'date')}, ${column(cols, 't', 'remote_uid')} FROM ${table} t`)
      .iterate() as IterableIterator<Record<string, unknown>>) {
      ids.add(Number(r.id));
      live.add(`${String(r.date)}|${String(r.remote_uid)}`);
    }
  }
  const found: VoicemailRecord[] = [];
  const carved = await carvedRowsByTable(path, TABLES);
  for (const table of TABLES) {
    if (!hasTable(db, table)) continue;
    for (const { row, rowid } of carved.get(table)!) {
      const key = `${String(row.date)}|${String(row.remote_uid)}`;
      if (num(row.date) === null || live.has(key) || (rowid !== undefined && liveIds.get(table)!.has(rowid))) continue;
      live.add(key);
      found.push(voicemailRecord(row, table, rowid ?? -1, 'recovered'));
    }
  }
  return found.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
}

/** "2024-01-31 09.30.00" (UTC): file names sort by time and carry no characters Windows refuses. */
function stampName(iso: string | null): string {
  return iso === null ? 'undated' : iso.slice(0, 19).replace('T', ' ').replace(/:/g, '.');
}

const CSV_HEADER = [
  'id',
  'date',
  'sender',
  'name',
  'callback_number',
  'receiver',
  'duration_seconds',
  'trashed_date',
  'flags',
  'table',
  'file',
  'origin',
  'date_unclear',
];

export const voicemailExtractor = defineExtractor({
  type: 'voicemail',
  label: 'Voicemail',
  saves: 'voicemail (audio named by date and caller)',
  sources: [
    source(VOICEMAIL_DB, '4–18'),
    { domain: VOICEMAIL_DB.domain, path: 'Library/Voicemail/*.amr', ios: '4–18' },
  ],
  outputs: ['<date> <caller>.amr', 'Recently Deleted/<date> <caller>.amr', 'voicemail.json', 'voicemail.csv'],
  records: ['VoicemailRecord'],
  section: voicemailSection,

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, VOICEMAIL_DB.domain, VOICEMAIL_DB.relativePath);
    if (opened === undefined) return null;
    let bytes = opened.bytes;
    for await (const entry of reader.files({ domain: VOICEMAIL_DB.domain, match: 'Library/Voicemail/*' })) {
      if (entry.kind === 'file' && AUDIO_EXTENSIONS.some((e) => entry.relativePath.endsWith(e)))
        bytes += entry.metadata?.size ?? 0;
    }
    if (!hasTable(opened.db, 'voicemail'))
      return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes };
    const cols = tableColumns(opened.db, 'voicemail');
    const trashed = [
      cols.has('trashed_date') ? 'trashed_date <> 0' : '0',
      cols.has('flags') ? `flags = ${TRASHED_FLAGS}` : '0',
    ].join(' OR ');
    const row = opened.db
      .prepare(`SELECT count(*) AS n, sum(${trashed}) AS trashed, min(date) AS first, max(date) AS last FROM voicemail`)
      .get() as { n: number; trashed: number | null; first: number | null; last: number | null };
    const moved = hasTable(opened.db, 'deleted')
      ? (opened.db.prepare('SELECT count(*) AS n FROM deleted').get() as { n: number }).n
      : 0;
    return {
      count: row.n + moved,
      recentlyDeleted: (row.trashed ?? 0) + moved,
      purged: deletedBySequence(opened.db, 'voicemail', row.n),
      firstDate: unixIso(row.first),
      lastDate: unixIso(row.last),
      bytes,
    };
  },

  /**
   * voicemail/voicemail.json and .csv, and each message's audio as `voicemail/<date> <caller>.amr` (mtime = when
   * it was left; Deleted Messages under `voicemail/Recently Deleted/`), then the deleted rows the carver finds.
   */
  async extract(context) {
    const { reader, work, out, range, warn } = context;
    const opened = await work.openDatabase(reader, VOICEMAIL_DB.domain, VOICEMAIL_DB.relativePath);
    if (opened === undefined) return null;
    const names = await contactNames(context);
    const records = await RecordFiles.open(out, 'voicemail/voicemail', CSV_HEADER);
    let files = 2;
    const write = async (v: VoicemailRecord): Promise<void> => {
      if (!inRange(range, v.date)) return;
      Object.assign(v, dateFlag(v.date, v.trashedDate));
      if (v.sender !== null) v.name = names.get(phoneKey(v.sender)) ?? null;
      // Audio is named after the ROWID of `voicemail`; a `deleted` row's ROWID is of its own table and names nothing.
      const entry =
        v.id < 0 || v.table !== 'voicemail'
          ? undefined
          : AUDIO_EXTENSIONS.map((e) => reader.get(VOICEMAIL_DB.domain, `Library/Voicemail/${v.id}${e}`)).find(
              (e) => e?.kind === 'file',
            );
      if (entry !== undefined && readable(context, entry)) {
        const folder = v.origin === 'live' ? 'voicemail' : 'voicemail/Recently Deleted';
        const extension = entry.relativePath.slice(entry.relativePath.lastIndexOf('.'));
        v.file = out.uniquePath(folder, `${stampName(v.date)} ${v.name ?? v.sender ?? 'unknown caller'}${extension}`);
        await copyEntry(reader, out, entry, v.file, v.date === null ? undefined : new Date(v.date));
        files++;
      } else if (entry === undefined && v.origin !== 'recovered' && v.table === 'voicemail') {
        warn(`audio of voicemail ${v.id} (${v.date ?? 'undated'}) is not in the backup`);
      }
      await records.write(v, [
        v.id,
        v.date,
        v.sender,
        v.name,
        v.callbackNumber,
        v.receiver,
        v.durationSeconds,
        v.trashedDate,
        v.flags,
        v.table,
        v.file,
        v.origin,
        v.dateSuspect ?? false,
      ]);
    };
    for (const v of readVoicemails(opened.db)) await write(v);
    for (const v of await readRecoveredVoicemails(opened.path, opened.db)) await write(v);
    return { records: await records.close(), files };
  },
});
