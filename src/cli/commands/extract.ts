import { join } from 'node:path';
import type { Command } from 'commander';
import { extractBackup } from '../../operations/index.js';
import { ExitCode } from '../exit-codes.js';
import { runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';
import {
  DATA_TYPES_HELP,
  dataTypesOption,
  dateRangeOption,
  extractedTypesHelp,
  TYPE_COLUMN,
} from './data-type-options.js';
import { outputModeOption, type OutputModeFlags } from './output-mode-option.js';

export function registerExtractCommand(program: Command): void {
  addBackupOpenOptions(
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
  ).action(
    async (
      backup: string,
      flags: BackupOpenFlags & OutputModeFlags & { out: string; types?: string; since?: string; until?: string },
      command: Command,
    ) =>
      runCommand(command, async ({ print, signal, logger }) => {
        const types = dataTypesOption(flags.types);
        const range = dateRangeOption(flags.since, flags.until);
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
