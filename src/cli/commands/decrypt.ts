import { Option, type Command } from 'commander';
import { decryptBackup } from '../../operations/decrypt-backup.js';
import { ExitCode } from '../exit-codes.js';
import { runCommand } from '../run-command.js';
import { addBackupOpenOptions, backupOpenOptions, type BackupOpenFlags } from './backup-options.js';
import { formatBytes } from './format.js';
import { outputModeOption, type OutputModeFlags } from './output-mode-option.js';

export function registerDecryptCommand(program: Command): void {
  addBackupOpenOptions(
    program
      .command('decrypt')
      .description('write a decrypted, plain copy of a backup that any backup tool can read')
      .argument('<BACKUP>', 'backup folder')
      .requiredOption('--out <DIR>', 'output folder (new or empty)')
      .addOption(new Option('--layout <LAYOUT>', 'backup: a plain backup; tree: files as <domain>/<path>').choices(['backup', 'tree']).default('backup'))
      .addOption(outputModeOption()),
  ).action(async (backup: string, flags: BackupOpenFlags & OutputModeFlags & { out: string; layout: 'backup' | 'tree' }, command: Command) =>
    runCommand(command, async ({ print, signal, logger }) => {
      const result = await decryptBackup({
        backup,
        out: flags.out,
        layout: flags.layout,
        outputMode: flags.outputMode,
        signal,
        ...backupOpenOptions(flags),
        onFile: ({ done, bytes }) => {
          if (done % 1000 === 0) logger.info({ files: done, bytes }, 'decrypting');
        },
      });
      const lines = [`Wrote ${result.files} file${result.files === 1 ? '' : 's'} (${formatBytes(result.bytes)}) to ${result.out}`];
      if (result.problems.length > 0) {
        lines.push(`${result.problems.length} could not be read in full:`);
        for (const p of result.problems.slice(0, 20)) lines.push(`  ${p.domain} ${p.relativePath}: ${p.message} [${p.code}]`);
        if (result.problems.length > 20) lines.push(`  … and ${result.problems.length - 20} more (--json lists them all)`);
      }
      print(lines.join('\n'), result);
      return result.problems.length > 0 ? ExitCode.BAD_INPUT : ExitCode.OK;
    }),
  );
}
