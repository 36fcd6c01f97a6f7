import type Database from 'better-sqlite3';

/** Column names of a table (empty when the table does not exist), read with PRAGMA table_info. */
export function tableColumns(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>;
  return new Set(rows.map((r) => r.name));
}

export function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/**
 * The value of a column that holds text, or null. SQLite lets any column hold any type, and a damaged or crafted
 * database has a blob or a number where a name or a path was: a number reads as its digits, a blob as null (its
 * bytes are not text), so a string method on a record's field never meets another type.
 */
export function textValue(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/** The first of several names a table has had across iOS versions that this database holds. */
export function firstTable(db: Database.Database, names: readonly string[]): string | undefined {
  return names.find((name) => hasTable(db, name));
}

/**
 * A SELECT list item for a column that may be missing in older or newer schemas: `t.col AS alias` when it exists,
 * `NULL AS alias` otherwise, so one query serves every version and absent fields come back null.
 */
export function column(columns: Set<string>, qualifier: string, name: string, alias = name): string {
  return columns.has(name) ? `${qualifier}.${quote(name)} AS ${quote(alias)}` : `NULL AS ${quote(alias)}`;
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** Count of rows ever created minus rows alive, from AUTOINCREMENT's sqlite_sequence; null when unknown. */
export function deletedBySequence(db: Database.Database, table: string, live: number): number | null {
  if (!hasTable(db, 'sqlite_sequence')) return null;
  const row = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as { seq: number } | undefined;
  return row === undefined ? null : Math.max(0, row.seq - live);
}

/** The same from Core Data's Z_PRIMARYKEY (Z_MAX is the highest Z_PK ever handed out for the entity). */
export function deletedByCoreDataMax(db: Database.Database, entity: string, live: number): number | null {
  if (!hasTable(db, 'Z_PRIMARYKEY')) return null;
  const row = db.prepare('SELECT Z_MAX AS max FROM Z_PRIMARYKEY WHERE Z_NAME = ?').get(entity) as
    | { max: number }
    | undefined;
  return row === undefined ? null : Math.max(0, row.max - live);
}
