/**
 * Scores the carver against the Nemetz/Schmitt/Freiling SQLite forensic corpus: every carved record is matched,
 * column by column, against the rows of the XML answer key. A deleted row counts as recovered when some record
 * equals it in every column; a record equal to a live row is a live row reported as deleted; a record whose known
 * columns all equal some row but which lost others is partial; anything else is a phantom. "Surviving" deleted
 * rows are those whose record body (serialised as SQLite would have written it) is still in the file — computed
 * here from the answer key and the raw bytes, independently of the carver.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { carveDatabase, isUnknown, type CarvedRecord, type CarvedValue } from '../../src/carve/index.js';

interface KeyColumn {
  name: string;
  affinity: string;
}
interface KeyRow {
  deleted: boolean;
  values: string[];
}
interface KeyTable {
  name: string;
  columns: KeyColumn[];
  rows: KeyRow[];
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');

export function readAnswerKey(xml: string): KeyTable[] {
  const tables: KeyTable[] = [];
  for (const element of xml.split('<element>').slice(1)) {
    const type = /<type>([^<]*)<\/type>/.exec(element)?.[1];
    const name = /<name>([^<]*)<\/name>/.exec(element)?.[1];
    if (type !== 'table' || name === undefined) continue;
    const columns = [
      ...element.matchAll(
        /<columnDefinition>[\s\S]*?<name>([^<]*)<\/name>[\s\S]*?<columnTypeName>([^<]*)<\/columnTypeName>/g,
      ),
    ].map((m) => ({
      name: unescapeXml(m[1]!),
      affinity: m[2]!,
    }));
    const entries = element.split('<entries>')[1] ?? '';
    // Categories 0A/0B drop a whole table: its rows are listed as they were (not marked), the table is marked in
    // its meta. Every row of a dropped table is a deleted row.
    const droppedTable = /<deleted>\s*True\s*<\/deleted>/i.test(element.split('<sql>')[0] ?? '');
    const rows = [...entries.matchAll(/<row( deleted="1")?>([\s\S]*?)<\/row>/g)].map((m) => ({
      deleted: droppedTable || m[1] !== undefined,
      values: [...m[2]!.matchAll(/<content>([\s\S]*?)<\/content>|<content\s*\/>/g)].map((c) => unescapeXml(c[1] ?? '')),
    }));
    tables.push({ name: unescapeXml(name), columns, rows });
  }
  return tables;
}

function valueEquals(value: CarvedValue, content: string): boolean {
  if (value === null) return content === '';
  if (typeof value === 'string') return value === content;
  if (typeof value === 'bigint') return value.toString() === content;
  if (typeof value === 'number') {
    const expected = Number(content);
    if (content.trim() === '' || Number.isNaN(expected)) return false;
    return value === expected || Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (Buffer.isBuffer(value))
    return value.toString('hex') === content.toLowerCase() || value.toString('utf8') === content;
  return false;
}

type Match = 'exact' | 'partial' | 'none';
function compare(record: CarvedRecord, row: KeyRow): Match {
  if (record.values.length !== row.values.length) return 'none';
  let unknown = 0;
  for (let i = 0; i < row.values.length; i += 1) {
    const value = record.values[i]!;
    if (isUnknown(value)) unknown += 1;
    else if (!valueEquals(value, row.values[i]!)) return 'none';
  }
  return unknown === 0 ? 'exact' : 'partial';
}

/** The bytes SQLite writes for one value (serial type chosen as it would: smallest int, REAL-affinity integers as
 * ints). */
function serialise(content: string, affinity: string): Buffer[] {
  const asNumber = Number(content);
  const numeric = content.trim() !== '' && !Number.isNaN(asNumber);
  if ((affinity === 'INTEGER' || affinity === 'REAL' || affinity === 'NUMERIC') && numeric) {
    const forms: Buffer[] = [];
    if (Number.isInteger(asNumber) && Number.isSafeInteger(asNumber)) {
      const v = asNumber;
      if (v === 0 || v === 1) forms.push(Buffer.alloc(0));
      else {
        for (const size of [1, 2, 3, 4, 6]) {
          const limit = 2 ** (8 * size - 1);
          if (v >= -limit && v < limit) {
            const b = Buffer.alloc(size);
            b.writeIntBE(v, 0, size);
            forms.push(b);
            break;
          }
        }
      }
    }
    const d = Buffer.alloc(8);
    d.writeDoubleBE(asNumber);
    forms.push(d);
    return forms;
  }
  return [Buffer.from(content, 'utf8')];
}

/** Whether a deleted row's body survives: each column's bytes in order, contiguous, somewhere in the file. */
function survives(file: Buffer, table: KeyTable, row: KeyRow, usable: number): boolean {
  let bodies: Buffer[] = [Buffer.alloc(0)];
  for (let i = 0; i < row.values.length; i += 1) {
    const forms = serialise(row.values[i]!, table.columns[i]?.affinity ?? 'TEXT');
    bodies = bodies.flatMap((b) => forms.map((f) => Buffer.concat([b, f])));
    if (bodies.length > 64) bodies = bodies.slice(0, 64);
  }
  // Bodies longer than a page spill into overflow pages: then every page-sized piece must survive on its own.
  return bodies.some((body) => {
    if (body.length <= usable - 40) return file.includes(body);
    const chunk = usable - 4;
    for (let at = body.length; at > 0; at -= chunk) {
      const piece = body.subarray(Math.max(0, at - Math.min(chunk, 512)), at);
      if (!file.includes(piece)) return false;
    }
    return true;
  });
}

export interface DatabaseScore {
  database: string;
  deleted: number;
  surviving: number;
  recovered: number;
  recoveredSurviving: number;
  liveReported: number;
  partial: number;
  phantoms: number;
  reported: number;
  error?: string;
}

export async function scoreDatabase(dbPath: string, xmlPath: string): Promise<DatabaseScore> {
  const tables = readAnswerKey(readFileSync(xmlPath, 'utf8'));
  const file = readFileSync(dbPath);
  const pageSize = file.length >= 18 ? (file.readUInt16BE(16) === 1 ? 65536 : file.readUInt16BE(16)) : 4096;
  const usable = pageSize - (file[20] ?? 0);
  const score: DatabaseScore = {
    database: dbPath,
    deleted: 0,
    surviving: 0,
    recovered: 0,
    recoveredSurviving: 0,
    liveReported: 0,
    partial: 0,
    phantoms: 0,
    reported: 0,
  };
  const survivingRows = new Set<KeyRow>();
  for (const table of tables) {
    for (const row of table.rows) {
      if (!row.deleted) continue;
      score.deleted += 1;
      if (survives(file, table, row, usable)) survivingRows.add(row);
    }
  }
  score.surviving = survivingRows.size;
  const recovered = new Set<KeyRow>();
  try {
    for await (const record of carveDatabase(dbPath, { walPath: null, journalPath: null })) {
      score.reported += 1;
      const candidates = record.table === null ? tables : tables.filter((t) => t.name === record.table);
      let best: { row: KeyRow; match: Match } | null = null;
      for (const table of candidates) {
        for (const row of table.rows) {
          const match = compare(record, row);
          if (match === 'exact' && (best?.match !== 'exact' || (row.deleted && !best.row.deleted)))
            best = { row, match };
          else if (match === 'partial' && !best) best = { row, match };
        }
      }
      if (!best) score.phantoms += 1;
      else if (best.match === 'partial') score.partial += 1;
      else if (best.row.deleted) recovered.add(best.row);
      else score.liveReported += 1;
    }
  } catch (error) {
    score.error =
      error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error);
  }
  score.recovered = recovered.size;
  score.recoveredSurviving = [...recovered].filter((row) => survivingRows.has(row)).length;
  return score;
}

export async function scoreCategory(corpusDir: string, category: string): Promise<DatabaseScore[]> {
  const dir = join(corpusDir, category);
  if (!existsSync(dir)) return [];
  const scores: DatabaseScore[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.db'))
    .sort()) {
    const xml = join(dir, name.replace(/_antifor\.db$|\.db$/, '.xml'));
    if (!existsSync(xml)) continue;
    scores.push(await scoreDatabase(join(dir, name), xml));
  }
  return scores;
}

export function totals(scores: DatabaseScore[]): Omit<DatabaseScore, 'database' | 'error'> & { errors: number } {
  const sum = {
    deleted: 0,
    surviving: 0,
    recovered: 0,
    recoveredSurviving: 0,
    liveReported: 0,
    partial: 0,
    phantoms: 0,
    reported: 0,
    errors: 0,
  };
  for (const s of scores) {
    for (const key of Object.keys(sum) as Array<keyof typeof sum>) if (key !== 'errors') sum[key] += s[key];
    if (s.error) sum.errors += 1;
  }
  return sum;
}
