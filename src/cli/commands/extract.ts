import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isIosRescueError } from '../../errors.js';
import { extractBackup } from '../../operations/extract-backup.js';
import { ExitCode } from '../exit-codes.js';
import { readPassword } from '../password.js';
import { runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';
import { addNoDaemonOption, daemonToUse, runDaemonJob } from './daemon-route.js';
import {
  DATA_TYPES_HELP,
  dataTypesOption,
  dateRangeOption,
  extractedTypesHelp,
  TYPE_COLUMN,
} from './data-type-options.js';
import { outputModeOption, type OutputModeFlags } from './output-mode-option.js';

export function registerExtractCommand(program: Command): void {
  const command = addBackupOpenOptions(
    program
      .command('extract')
      .description(
        `save ${extractedTypesHelp()} from a backup into a folder; deleted calls, messages (WhatsApp too), contacts, notes, calendar events, reminders, voicemails, bookmarks and cleared Safari visits the carver finds are included, marked; report.html shows it all in a browser`,
      )
      .argument('<BACKUP>', 'backup folder')
      .requiredOption('--out <DIR>', 'output folder (created if missing; must not hold an earlier extraction)')
      .option('--types <LIST>', DATA_TYPES_HELP)
      .option(
        '--since <DATE>',
        'only items from this day on (YYYY-MM-DD, UTC, or an ISO 8601 date-time); contacts are not filtered',
      )
      .option('--until <DATE>', 'only items up to this day, inclusive')
      .addOption(outputModeOption()),
  );
  addNoDaemonOption(command).addHelpText(
    'after',
    '\nWhen an iosrescue daemon runs for this user, the extraction becomes a daemon job (with --types and --out;\n' +
      '--since, --until, --output-mode shared or --keep-key-cache run it here). --no-daemon always runs it here.\n',
  );
  command.action(
    async (
      backup: string,
      flags: BackupOpenFlags &
        OutputModeFlags & { out: string; types?: string; since?: string; until?: string; daemon: boolean },
      command: Command,
    ) =>
      runCommand(command, async ({ print, signal, logger }) => {
        const types = dataTypesOption(flags.types);
        const range = dateRangeOption(flags.since, flags.until);
        // What a daemon job takes: the backup, the folder and the types; the other options run it here.
        const daemonCanRun =
          flags.since === undefined &&
          flags.until === undefined &&
          flags.outputMode === 'private' &&
          !flags.keepKeyCache;
        const daemon = daemonCanRun ? await daemonToUse(flags, logger) : undefined;
        if (daemon) {
          const given = flags.passwordEnv !== undefined || flags.passwordFile !== undefined;
          const submit = (password?: string) =>
            runDaemonJob(
              daemon,
              {
                type: 'extract',
                backup: resolve(backup),
                out: resolve(flags.out),
                ...(types && { types }),
                ...(password !== undefined && { password }),
              },
              { signal, onMessage: (message) => logger.info(message) },
            );
          let job: Awaited<ReturnType<typeof submit>>;
          try {
            job = await submit(given ? await readPassword(flags, { prompt: 'Backup password: ' }) : undefined);
          } catch (error) {
            // Asked lazily, as the direct run does: only when the backup turns out to be encrypted.
            if (given || !isIosRescueError(error, 'BACKUP_PASSWORD_REQUIRED') || !process.stdin.isTTY) throw error;
            job = await submit(await readPassword(flags, { prompt: 'Backup password: ' }));
          }
          const done = (job.result?.types ?? []) as Array<{
            type: string;
            status: string;
            records?: number;
            files?: number;
          }>;
          const lines = [`Extracted to ${job.outDir ?? resolve(flags.out)} (daemon job ${job.id}):`];
          for (const t of done) {
            const what =
              t.status === 'ok'
                ? `${t.records ?? 0} record${t.records === 1 ? '' : 's'}, ${t.files ?? 0} file${t.files === 1 ? '' : 's'}`
                : t.status === 'missing'
                  ? 'not in this backup'
                  : 'failed (see extraction.json)';
            lines.push(`  ${t.type.padEnd(TYPE_COLUMN)} ${what}`);
          }
          lines.push(`Open ${join(job.outDir ?? resolve(flags.out), 'report.html')} in a browser to look through it.`);
          // The direct run's report shape (out, types[]) with what the daemon keeps of it, and the job.
          print(lines.join('\n'), { out: job.outDir, types: done, jobId: job.id });
          return done.some((t) => t.status === 'failed') ? ExitCode.BAD_INPUT : ExitCode.OK;
        }
        const report = await extractBackup({
          backup,
          out: flags.out,
          types,
          range,
          outputMode: flags.outputMode,
          signal,
          ...backupOpenOptions(flags),
          onType: ({ type, phase }) => phase === 'start' && logger.info({ type }, `extracting ${type}`),
          onSkip: (file) =>
            logger.warn(
              { type: file.type, domain: file.domain, relativePath: file.relativePath, code: file.code },
              file.message,
            ),
        });
        const lines = [`Extracted to ${report.out}:`];
        for (const t of report.types) {
          const what =
            t.status === 'ok'
              ? `${t.records} record${t.records === 1 ? '' : 's'}, ${t.files} file${t.files === 1 ? '' : 's'}`
              : t.status === 'missing'
                ? 'not in this backup'
                : `failed: ${t.error?.message} [${t.error?.code}]`;
          lines.push(`  ${t.type.padEnd(TYPE_COLUMN)} ${what}`);
          const indent = ' '.repeat(TYPE_COLUMN + 3);
          for (const w of t.warnings.slice(0, 5)) lines.push(`${indent}warning: ${w}`);
          if (t.warnings.length > 5)
            lines.push(`${indent}… and ${t.warnings.length - 5} more warnings (see extraction.json)`);
        }
        lines.push(
          `Open ${join(report.out, 'report.html')} in a browser to look through it (deleted items are marked).`,
        );
        print(lines.join('\n'), report);
        return report.types.some((t) => t.status === 'failed') ? ExitCode.BAD_INPUT : ExitCode.OK;
      }),
  );
}
