import type { Command } from 'commander';
import { listBackupFiles } from '../../operations/list-backup-files.js';
import { jsonReplacer, runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';

export function registerFilesCommand(program: Command): void {
  addBackupOpenOptions(
    program
      .command('files')
      .description('list the files in a backup (domain, path, kind, size)')
      .argument('<BACKUP>', 'backup folder (the one holding Manifest.db)')
      .option('--domain <D>', 'only this domain, e.g. HomeDomain or AppDomain-net.whatsapp.WhatsApp')
      .option(
        '--match <GLOB>',
        'only paths matching: * within a folder, ** across folders; no "/" matches the file name',
      ),
  ).action(async (backup: string, flags: BackupOpenFlags & { domain?: string; match?: string }, command: Command) =>
    runCommand(command, async ({ globals }) => {
      const rows = listBackupFiles({ backup, domain: flags.domain, match: flags.match, ...backupOpenOptions(flags) });
      // Written row by row: a backup lists hundreds of thousands of files, and --json output stays one array.
      let first = true;
      if (globals.json) process.stdout.write('[');
      for await (const row of rows) {
        if (globals.json) process.stdout.write(`${first ? '' : ','}\n${JSON.stringify(row, jsonReplacer)}`);
        else
          process.stdout.write(
            `${row.kind.padEnd(9)} ${String(row.size ?? '?').padStart(12)}  ${row.domain}  ${row.relativePath}${row.problem ? `  [${row.problem.code}]` : ''}\n`,
          );
        first = false;
      }
      if (globals.json) process.stdout.write(first ? ']\n' : '\n]\n');
    }),
  );
}
