import { once } from 'node:events';
import type { Command } from 'commander';
// The verb's own module, not operations/index.ts: carving needs none of the device, backup and daemon code the
// index loads, and loading it cost about 300 ms of start-up.
import { carveDatabaseRecords, writeCarvedJsonLines, type CarveSummary } from '../../operations/carve-database.js';
import { CliUsageError, runCommand } from '../run-command.js';
import { CarveProgressLine } from './carve-progress.js';
import { carvedRecordLine } from './carve-listing.js';

function workerCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > 256)
    throw new CliUsageError(`--workers wants a whole number from 1 to 256 (got "${text}")`);
  return value;
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
      'threads carving pages: 1 = this thread only; the output is the same (default: 1, or cores - 1 for a file of 256 MB or more on 3 cores or more)',
    )
    .action(
      async (
        db: string,
        flags: { table?: string; wal?: string; journal?: string; workers?: string },
        command: Command,
      ) =>
        runCommand(command, async (context) => {
          const { globals, signal } = context;
          // Loading the logger costs ~30 ms of start-up: phase times are only logged when someone asked for debug.
          const level = globals.logLevel ?? (globals.debug ? 'debug' : undefined);
          const debugging = level === 'debug' || level === 'trace';
          const progress =
            process.stderr.isTTY && !process.stdout.isTTY ? new CarveProgressLine(process.stderr) : undefined;
          const options = {
            table: flags.table,
            walPath: flags.wal,
            journalPath: flags.journal,
            workers: workerCount(flags.workers),
            signal,
            // Where the time goes, with --log-level debug (on stderr: stdout stays the records).
            ...(debugging
              ? {
                  onPhase: (phase: string, ms: number) =>
                    context.logger.debug({ phase, ms }, `carve: ${phase} done in ${ms} ms`),
                }
              : {}),
            // A progress line on the terminal while the records go to a file or a pipe (never into them).
            ...(progress ? { onProgress: (done: number, total: number) => progress.update(done, total) } : {}),
          };
          // JSON lines, one per record, so a 100k-record carve streams instead of building one array.
          if (globals.json) {
            try {
              await writeCarvedJsonLines(db, options, process.stdout);
            } finally {
              progress?.finish();
            }
            return;
          }
          let summary: CarveSummary | undefined;
          const counts = new Map<string, number>();
          // Batched like the JSON lines: a write per record to a file costs more than carving the record.
          let batch = '';
          try {
            for await (const record of carveDatabaseRecords(db, options, (s) => (summary = s))) {
              batch += `${carvedRecordLine(record)}\n`;
              if (batch.length >= 65536) {
                const pending = batch;
                batch = '';
                if (!process.stdout.write(pending)) await once(process.stdout, 'drain');
              }
              const key = `${record.table ?? '(unknown table)'} from ${record.source}`;
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
          } finally {
            // What was recovered before an error or Ctrl-C is still printed.
            if (batch) process.stdout.write(batch);
            progress?.finish();
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
