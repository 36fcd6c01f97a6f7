import { carveDatabase, isUnknown } from '../carve/index.js';

/** A deleted row the carver found, by column name; a value whose bytes were overwritten is null. */
export interface CarvedRow {
  row: Record<string, unknown>;
  /** The rowid when the cell kept it. */
  rowid: number | undefined;
}

/**
 * The carver's records of one table of the database at `path` (its -wal and -journal are read too), as rows keyed
 * by column name: what every extractor's "recovered" pass reads. Records whose table the carver could not tell
 * are left out.
 */
export async function* carvedRows(path: string, table: string): AsyncGenerator<CarvedRow> {
  for await (const carved of carveDatabase(path, { table })) {
    if (!carved.columns) continue;
    const row: Record<string, unknown> = {};
    carved.columns.forEach((name, i) => {
      const value = carved.values[i];
      row[name] = value === undefined || isUnknown(value) ? null : value;
    });
    yield { row, rowid: carved.rowid === undefined ? undefined : Number(carved.rowid) };
  }
}
