import type { Command } from 'commander';
import { scanBackup, type TypeScan } from '../../operations/index.js';
import { runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';
import { DATA_TYPES_HELP, dataTypesOption, TYPE_COLUMN } from './data-type-options.js';
import { formatBytes } from './format.js';

function row(s: TypeScan): string {
  const count = (n: number | null): string => (n === null ? '-' : String(n));
  const day = (iso: string | null): string => (iso === null ? '-' : iso.slice(0, 10));
  if (!s.present) return `${s.type.padEnd(TYPE_COLUMN)} ${'not in this backup'}`;
  return `${s.type.padEnd(TYPE_COLUMN)} ${String(s.count).padStart(8)} ${count(s.recentlyDeleted).padStart(9)} ${count(s.purged).padStart(8)}  ${day(s.firstDate).padEnd(10)}  ${day(s.lastDate).padEnd(10)}  ${formatBytes(s.bytes).padStart(9)}`;
}

export function registerScanCommand(program: Command): void {
  addBackupOpenOptions(
    program
      .command('scan')
      .description('show what a backup holds per data type (counts, dates, sizes, deleted) without extracting anything')
      .argument('<BACKUP>', 'backup folder')
      .option('--types <LIST>', DATA_TYPES_HELP),
  ).action(async (backup: string, flags: BackupOpenFlags & { types?: string }, command: Command) =>
    runCommand(command, async ({ print }) => {
      const result = await scanBackup({ backup, types: dataTypesOption(flags.types), ...backupOpenOptions(flags) });
      const d = result.device;
      const lines = [
        `${backup}: ${[d.name, d.productType, d.iosVersion ? `iOS ${d.iosVersion}` : null, result.encrypted ? 'encrypted' : 'not encrypted'].filter(Boolean).join(', ')}`,
        '',
        `${'type'.padEnd(TYPE_COLUMN)} ${'records'.padStart(8)} ${'trashed'.padStart(9)} ${'purged*'.padStart(8)}  ${'first'.padEnd(10)}  ${'last'.padEnd(10)}  ${'size'.padStart(9)}`,
        ...result.types.map(row),
        '',
        'trashed: in Recently Deleted, still extracted. purged*: deleted for good (estimated from the highest id ever used); a carver may recover some.',
      ];
      for (const s of result.types) for (const w of s.warnings) lines.push(`warning (${s.type}): ${w}`);
      print(lines.join('\n'), result);
    }),
  );
}
