import type { Command } from 'commander';
import { scanBackup, type ScanBackupResult, type ScanTypeSummary } from '../../operations/scan-backup.js';
import { runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';
import { DATA_TYPES_HELP, dataTypesOption, TYPE_COLUMN } from './data-type-options.js';
import { formatBytes } from './format.js';

const RECENTLY_DELETED = 'recently deleted';

function row(s: ScanTypeSummary): string {
  const count = (n: number | null): string => (n === null ? '-' : String(n));
  const day = (iso: string | null): string => (iso === null ? '-' : iso.slice(0, 10));
  if (!s.present) return `${s.type.padEnd(TYPE_COLUMN)} ${'not in this backup'}`;
  return `${s.type.padEnd(TYPE_COLUMN)} ${String(s.records).padStart(8)} ${count(s.recentlyDeleted).padStart(RECENTLY_DELETED.length)}  ${day(s.firstDate).padEnd(10)}  ${day(s.lastDate).padEnd(10)}  ${formatBytes(s.bytes).padStart(9)}`;
}

/**
 * The scan as text: a table of what is known (counted in the databases), then, apart and worded as what they are,
 * the ids missing from each type's tables. Those are deleted rows of some time, not things the carver can give
 * back; a person reading "7,737 deleted" would take it as a promise (issue 13).
 */
export function scanText(backup: string, result: ScanBackupResult): string {
  const d = result.device;
  const lines = [
    `${backup}: ${[d.name, d.productType, d.iosVersion ? `iOS ${d.iosVersion}` : null, result.encrypted ? 'encrypted' : 'not encrypted', result.manifest === 'mbdb' ? 'Manifest.mbdb' : null].filter(Boolean).join(', ')}`,
    '',
    `${'type'.padEnd(TYPE_COLUMN)} ${'records'.padStart(8)} ${RECENTLY_DELETED}  ${'first'.padEnd(10)}  ${'last'.padEnd(10)}  ${'size'.padStart(9)}`,
    ...result.types.map(row),
    '',
    `Counted in the databases: records (Recently Deleted ones included) and ${RECENTLY_DELETED} (in the phone's Recently Deleted or marked for deletion, still in the database; extract saves them).`,
  ];
  const missing = result.types.filter((s) => s.present && s.rowIdsMissing !== null && s.rowIdsMissing > 0);
  if (missing.length > 0) {
    lines.push(
      '',
      'Estimates, not counts of what can be recovered (ids the database handed out that no row holds now):',
      ...missing.map(
        (s) =>
          `  ${s.type.padEnd(TYPE_COLUMN)} row ids missing: ${s.rowIdsMissing}; these may or may not be recoverable`,
      ),
      "What the carver actually recovers from free space, the -wal and the journal is counted by 'iosrescue extract'.",
    );
  }
  for (const s of result.types) for (const w of s.warnings) lines.push(`warning (${s.type}): ${w}`);
  return lines.join('\n');
}

export function registerScanCommand(program: Command): void {
  addBackupOpenOptions(
    program
      .command('scan')
      .description(
        'show what a backup holds per data type (records, Recently Deleted, dates, sizes) without extracting anything',
      )
      .argument('<BACKUP>', 'backup folder')
      .option('--types <LIST>', DATA_TYPES_HELP),
  ).action(async (backup: string, flags: BackupOpenFlags & { types?: string }, command: Command) =>
    runCommand(command, async ({ print }) => {
      const result = await scanBackup({ backup, types: dataTypesOption(flags.types), ...backupOpenOptions(flags) });
      print(scanText(backup, result), result);
    }),
  );
}
