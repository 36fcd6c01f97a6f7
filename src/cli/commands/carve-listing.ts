import type { CarvedRecord, CarvedValue } from '../../operations/carve-database.js';

/**
 * One value as the human listing shows it: TEXT quoted (cut at 60 characters), NULL, a BLOB by its size, a lost
 * value as `?`; integers beyond 2^53 and non-finite reals quoted, as their --json form is a string.
 */
export function carvedValueText(value: CarvedValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
  if (typeof value === 'bigint') return `"${value}"`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `"${value}"`;
  if (Buffer.isBuffer(value)) return `<blob ${value.length} B>`;
  return '?';
}

/** One record as a line of the human listing: table, source, page+offset, then column=value pairs. */
export function carvedRecordLine(record: CarvedRecord): string {
  const columns = record.values.map((v, i) => `${record.columns?.[i] ?? `c${i}`}=${carvedValueText(v)}`);
  return `${(record.table ?? '(unknown table)').padEnd(16)} ${record.source.padEnd(11)} p${record.page}+${record.offset}  ${columns.join(' ')}`;
}
