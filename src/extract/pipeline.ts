import { readdir } from 'node:fs/promises';
import type { BackupReader } from '../backup/index.js';
import { IosRescueError } from '../errors.js';
import { ExtractError } from './errors.js';
import type { DateRange, Extractor, TypeResult, TypeScan } from './extractor.js';
import { OutputFolder, type DeferredCopy } from './output-folder.js';
import { makeOutputFolder, outputPermissions, type OutputMode } from './output-mode.js';
import { DATA_TYPES, EXTRACTOR_LIST, type DataType } from './registry.js';
import { writeReport } from './report/index.js';
import { TextSink } from './exporters/text-sink.js';
import { SkippedFiles, type SkippedFile } from './skipped-files.js';
import { WorkDir } from './work-dir.js';

/** Each type's extractor, from the registry. */
export const EXTRACTORS = Object.fromEntries(EXTRACTOR_LIST.map((e) => [e.type, e])) as Record<DataType, Extractor>;

/** `photos,contacts` → the types, in pipeline order; EXTRACT_UNKNOWN_TYPE for a name no extractor handles. */
export function parseDataTypes(list: string | undefined): DataType[] {
  if (list === undefined || list.trim() === '' || list.trim() === 'all') return [...DATA_TYPES];
  const wanted = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of wanted) {
    if (!(DATA_TYPES as readonly string[]).includes(name)) {
      throw new ExtractError('EXTRACT_UNKNOWN_TYPE', `unknown data type "${name}" (known: ${DATA_TYPES.join(', ')})`, {
        details: { type: name },
      });
    }
  }
  return DATA_TYPES.filter((t) => wanted.includes(t));
}

function errorSummary(error: unknown): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof IosRescueError) return { code: error.code, message };
  // A database whose tables or columns are not the ones this extractor reads: a schema it does not know, not a bug.
  if (isSchemaMismatch(error))
    return {
      code: 'EXTRACT_SCHEMA_UNSUPPORTED',
      message: `the database's schema is not one this extractor knows: ${message}`,
    };
  // A damaged page met by a later query (the first one, in WorkDir.openDatabase, passed): a damaged database.
  if (isCorruptDatabase(error))
    return { code: 'EXTRACT_DATABASE_UNREADABLE', message: `the database is damaged: ${message}` };
  return { code: 'UNEXPECTED', message };
}

/** SQLite's codes for a file that is not, or no longer, a readable database. */
function isCorruptDatabase(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: string }).code : undefined;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT_') === true;
}

/** SQLite's own words when a query names a table or column the database does not have. */
function isSchemaMismatch(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === 'SQLITE_ERROR' &&
    /^no such (table|column)\b/.test(error.message)
  );
}

/** The manifest lists the database but the backup holds no data for it (cut-down or partial backups). */
function isMissingData(error: unknown): boolean {
  return error instanceof IosRescueError && error.code === 'BACKUP_MISSING_DATA';
}

export interface ScanOptions {
  types?: DataType[];
  /** Parent of the private scratch folder (default: the OS temp folder). */
  tempDir?: string;
}

/** A type's scan with nothing counted: its database absent, or unreadable (`present` says which). */
function emptyScan(type: DataType, present: boolean, warnings: string[]): TypeScan {
  return {
    type,
    present,
    count: 0,
    recentlyDeleted: null,
    purged: null,
    firstDate: null,
    lastDate: null,
    bytes: 0,
    warnings,
  };
}

/** Counts per type with SQL only; a type whose database is missing or unreadable is reported, never thrown. */
export async function scanBackupContent(reader: BackupReader, options: ScanOptions = {}): Promise<TypeScan[]> {
  const work = await WorkDir.create(options.tempDir);
  try {
    const results: TypeScan[] = [];
    for (const type of options.types ?? DATA_TYPES) {
      const warnings: string[] = [];
      try {
        const skipped = new SkippedFiles(type);
        const counts = await EXTRACTORS[type].scan({
          reader,
          work,
          warn: (m) => warnings.push(m),
          skip: (entry, reason) => skipped.add(entry, reason),
        });
        warnings.push(...skipped.warnings(), ...work.drainNotices());
        results.push(counts === null ? emptyScan(type, false, warnings) : { type, present: true, ...counts, warnings });
      } catch (error) {
        const { code, message } = errorSummary(error);
        results.push(
          emptyScan(type, !isMissingData(error), [...warnings, ...work.drainNotices(), `${message} [${code}]`]),
        );
      }
    }
    return results;
  } finally {
    await work.close();
  }
}

export interface ExtractOptions {
  /** Output folder; created when missing, refused when it already holds an extraction.json. */
  out: string;
  types?: DataType[];
  range?: DateRange;
  tempDir?: string;
  /** private (default): owner-only folders and files whatever the umask; shared: the umask decides. */
  outputMode?: OutputMode;
  signal?: AbortSignal;
  onType?: (event: { type: DataType; phase: 'start' | 'done'; result?: TypeResult }) => void;
  /** Each backup file not read (a link, FIFO, device, oversized or missing data), as it happens: log it. */
  onSkip?: (file: SkippedFile) => void;
  /** Records only: the photo, attachment and voicemail files `copyEntry` would copy are handed here instead. */
  deferCopy?: (copy: DeferredCopy) => void;
  /** Skip report.html (the console's browse index reads the JSON only). */
  noReport?: boolean;
}

export interface ExtractionReport {
  out: string;
  types: TypeResult[];
  range: { since: string | null; until: string | null };
  /** Who may read the output (report.html says so, also when redrawn from this file alone). */
  outputMode: OutputMode;
}

/**
 * Runs the chosen extractors one after another, each on its own: a missing database gives status "missing", a
 * failure gives "failed" with the error code, and the others still run. Writes `extraction.json` (this report)
 * at the top of the output folder.
 */
export async function runExtraction(reader: BackupReader, options: ExtractOptions): Promise<ExtractionReport> {
  const permissions = outputPermissions(options.outputMode);
  // An --out folder that already exists keeps its mode: it is the user's, and may hold other things.
  await makeOutputFolder(options.out, permissions);
  if ((await readdir(options.out)).includes('extraction.json')) {
    throw new ExtractError(
      'EXTRACT_OUTPUT_NOT_EMPTY',
      `${options.out} already holds an extraction; choose an empty folder`,
      { details: { out: options.out } },
    );
  }
  const out = new OutputFolder(options.out, permissions);
  out.deferCopy = options.deferCopy;
  const range = options.range ?? {};
  const work = await WorkDir.create(options.tempDir);
  const report: ExtractionReport = {
    out: options.out,
    types: [],
    range: { since: range.since?.toISOString() ?? null, until: range.until?.toISOString() ?? null },
    outputMode: permissions.mode,
  };
  try {
    for (const type of options.types ?? DATA_TYPES) {
      options.signal?.throwIfAborted();
      options.onType?.({ type, phase: 'start' });
      const warnings: string[] = [];
      const skipped = new SkippedFiles(type, options.onSkip);
      let result: TypeResult;
      let openSinks: Set<TextSink> | undefined;
      try {
        const run = TextSink.track(() =>
          EXTRACTORS[type].extract({
            reader,
            work,
            out,
            range,
            signal: options.signal,
            warn: (m) => warnings.push(m),
            skip: (entry, reason) => skipped.add(entry, reason),
          }),
        );
        openSinks = run.sinks;
        const done = await run.done;
        warnings.push(...skipped.warnings(), ...work.drainNotices());
        result =
          done === null
            ? { type, status: 'missing', records: 0, files: 0, warnings }
            : { type, status: 'ok', ...done, warnings };
      } catch (error) {
        // Files the extractor had open when it failed are ended here, so no descriptor outlives its type.
        if (openSinks) TextSink.abandonOpen(openSinks);
        if (options.signal?.aborted) throw error;
        warnings.push(...work.drainNotices());
        result = isMissingData(error)
          ? { type, status: 'missing', records: 0, files: 0, warnings: [...warnings, (error as Error).message] }
          : { type, status: 'failed', records: 0, files: 0, warnings, error: errorSummary(error) };
      }
      if (skipped.any) result.skipped = skipped.counts;
      report.types.push(result);
      options.onType?.({ type, phase: 'done', result });
    }
  } finally {
    await work.close();
  }
  await out.writeFile('extraction.json', `${JSON.stringify(report, null, 2)}\n`);
  // report.html is drawn from the files just written (extraction.json and each type's JSON), as a reader would.
  if (!options.noReport) await writeReport(options.out, { tempDir: options.tempDir });
  return report;
}
