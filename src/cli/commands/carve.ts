import type { Command } from 'commander';
// The verb's own module, not operations/index.ts: carving needs none of the device, backup and daemon code the
// index loads, and loading it cost about 300 ms of start-up.
import {
  carveDatabaseRecords,
  carvedValueToJson,
  writeCarvedJsonLines,
  type CarvedRecord,
  type CarveSummary,
} from '../../operations/carve-database.js';
import { CliUsageError, runCommand } from '../run-command.js';

function workerCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > 256)
    throw new CliUsageError(`--workers wants a whole number from 1 to 256 (got "${text}")`);
  return value;
}

function showValue(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
  if (typeof value === 'object' && 'unknown' in value) return '?';
  if (typeof value === 'object' && 'base64' in value)
    return `<blob ${Buffer.from((value as { base64: string }).base64, 'base64').length} B>`;
  return String(value);
}

function humanLine(record: CarvedRecord): string {
  const columns = record.values.map((v, i) => `${record.columns?.[i] ?? `c${i}`}=${showValue(carvedValueToJson(v))}`);
  return `${(record.table ?? '(unknown table)').padEnd(16)} ${record.source.padEnd(11)} p${record.page}+${record.offset}  ${columns.join(' ')}`;
}

export function registerCarveCommand(program: Command): void {
  program
    .command('carve')
    .description(
      'recover deleted records from an SQLite database (its -wal and -journal are read too; nothing is written)',
    )
    .argument('<DB>', 'the database file, e.g. sms.db exported from a backup')
    .option('--table <T>', 'only records of this table')
    .option('--wal <PATH>', 'the write-ahead log to read (default: <DB>-wal when present)')
    .option('--journal <PATH>', 'the rollback journal to read (default: <DB>-journal when present)')
    .option(
      '--workers <N>',
      'threads carving pages: 1 = this thread only (default: one per core for files of 8 MB or more; same output)',
    )
    .action(
      async (
        db: string,
        flags: { table?: string; wal?: string; journal?: string; workers?: string },
        command: Command,
      ) =>
        runCommand(command, async ({ globals, signal }) => {
          const options = {
            table: flags.table,
            walPath: flags.wal,
            journalPath: flags.journal,
            workers: workerCount(flags.workers),
            signal,
          };
          // JSON lines, one per record, so a 100k-record carve streams instead of building one array.
          if (globals.json) {
            await writeCarvedJsonLines(db, options, process.stdout);
            return;
          }
          let summary: CarveSummary | undefined;
          const counts = new Map<string, number>();
          for await (const record of carveDatabaseRecords(db, options, (s) => (summary = s))) {
            process.stdout.write(`${humanLine(record)}\n`);
            const key = `${record.table ?? '(unknown table)'} from ${record.source}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          const total = [...counts.values()].reduce((a, b) => a + b, 0);
          process.stdout.write(
            `\n${total === 0 ? 'No deleted records found.' : `${total} recovered record${total === 1 ? '' : 's'} (deleted or superseded; live rows excluded):`}\n`,
          );
          for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]))
            process.stdout.write(`  ${String(n).padStart(6)}  ${key}\n`);
          if (summary) {
            process.stdout.write(
              `Read ${summary.pages} pages of ${summary.pageSize} B, ${summary.walFrames} WAL frames, ${summary.journalPages} journal pages; ${summary.liveRows} live rows in ${summary.tables.length} tables.\n`,
            );
          }
        }),
    );
}
