import type { Command } from 'commander';
import { exportBackupFile } from '../../operations/export-backup-file.js';
import { runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';
import { outputModeOption, type OutputModeFlags } from './output-mode-option.js';

export function registerExportFileCommand(program: Command): void {
  addBackupOpenOptions(
    program
      .command('export-file')
      .description('copy one file out of a backup, decrypted')
      .argument('<BACKUP>', 'backup folder')
      .argument('<DOMAIN>', 'domain, e.g. HomeDomain')
      .argument('<PATH>', 'relative path, e.g. Library/SMS/sms.db')
      .requiredOption('--out <FILE>', 'where to write it (must not exist)')
      .addOption(outputModeOption()),
  ).action(
    async (
      backup: string,
      domain: string,
      relativePath: string,
      flags: BackupOpenFlags & OutputModeFlags & { out: string },
      command: Command,
    ) =>
      runCommand(command, async ({ print, signal }) => {
        const result = await exportBackupFile({
          backup,
          domain,
          relativePath,
          out: flags.out,
          outputMode: flags.outputMode,
          signal,
          ...backupOpenOptions(flags),
        });
        print(`Wrote ${result.bytes} bytes to ${result.out}`, result);
      }),
  );
}
