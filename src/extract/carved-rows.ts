import { carveDatabase, isUnknown, type CarvedRecord } from '../carve/index.js';

/** A deleted row the carver found, by column name; a value whose bytes were overwritten is null. */
export interface CarvedRow {
  row: Record<string, unknown>;
  /** The rowid when the cell kept it. */
  rowid: number | undefined;
}

/**
 * The carver's records of one table of the database at `path` (its -wal and -journal are read too), as rows keyed
 * by column name: what every extractor's "recovered" pass reads. Records whose table the carver could not tell
 * are left out. Pass `OpenedDatabase.path`: WorkDir keeps there the database, -wal and -journal exactly as the
 * backup held them, which SQLite never opened, so no rollback or checkpoint has overwritten what the carver looks
 * for.
 */
export async function* carvedRows(path: string, table: string): AsyncGenerator<CarvedRow> {
  for await (const carved of carveDatabase(path, { table })) {
    if (carved.columns) yield toRow(carved.columns, carved);
  }
}

/**
 * The same for several tables of one database in a single carve (each carve reads the whole file): rows by the
 * table names asked for, in the order carvedRows would give them (the carver keeps its duplicate checks per table).
 */
export async function carvedRowsByTable(path: string, tables: readonly string[]): Promise<Map<string, CarvedRow[]>> {
  const byName = new Map(tables.map((t) => [t.toLowerCase(), t]));
  const rows = new Map<string, CarvedRow[]>(tables.map((t) => [t, []]));
  for await (const carved of carveDatabase(path)) {
    const asked = carved.table === null ? undefined : byName.get(carved.table.toLowerCase());
    if (asked !== undefined && carved.columns) rows.get(asked)!.push(toRow(carved.columns, carved));
  }
  return rows;
}

function toRow(columns: string[], carved: CarvedRecord): CarvedRow {
  const row: Record<string, unknown> = {};
  columns.forEach((name, i) => {
    const value = carved.values[i];
    row[name] = value === undefined || isUnknown(value) ? null : value;
  });
  return { row, rowid: carved.rowid === undefined ? undefined : Number(carved.rowid) };
}
