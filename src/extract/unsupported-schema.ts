import type Database from 'better-sqlite3';
import { ExtractError } from './errors.js';

/** At most this many table names go into the message; `details.tables` holds them all. */
const NAMED_IN_MESSAGE = 40;

/** The tables a database holds, by name (SQLite's own and FTS shadow tables included: they help say what it is). */
export function tablesOf(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
    name: string;
  }>;
  return rows.map((r) => r.name);
}

/**
 * The typed result for a database whose schema an extractor does not know: EXTRACT_SCHEMA_UNSUPPORTED naming what it
 * looked for and the tables it saw, so a person (or a bug report) can tell which version or app wrote the file.
 */
export function unsupportedSchema(db: Database.Database, file: string, wanted: string): ExtractError {
  const tables = tablesOf(db);
  const named =
    tables.length === 0
      ? 'none'
      : tables.length > NAMED_IN_MESSAGE
        ? `${tables.slice(0, NAMED_IN_MESSAGE).join(', ')} and ${tables.length - NAMED_IN_MESSAGE} more`
        : tables.join(', ');
  return new ExtractError('EXTRACT_SCHEMA_UNSUPPORTED', `${file} has no ${wanted} (tables seen: ${named})`, {
    details: { file, tables },
  });
}
