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
      .addOption(
        new Option('--layout <LAYOUT>', 'backup: a plain backup; tree: files as <domain>/<path>')
          .choices(['backup', 'tree'])
          .default('backup'),
      )
      .addOption(outputModeOption()),
  ).action(
    async (
      backup: string,
      flags: BackupOpenFlags & OutputModeFlags & { out: string; layout: 'backup' | 'tree' },
      command: Command,
    ) =>
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
          // Every problem goes to the log as it happens; the result keeps counts and the first few.
          onProblem: (p) =>
            logger.warn({ domain: p.domain, relativePath: p.relativePath, fileId: p.fileId, code: p.code }, p.message),
        });
        const lines = [
          `Wrote ${result.files} file${result.files === 1 ? '' : 's'} (${formatBytes(result.bytes)}) to ${result.out}`,
        ];
        if (result.problemCount > 0) {
          const byCode = Object.entries(result.problemCounts)
            .map(([code, n]) => `${n} ${code}`)
            .join(', ');
          lines.push(`${result.problemCount} could not be read in full (${byCode}):`);
          for (const p of result.problems.slice(0, 20))
            lines.push(`  ${p.domain} ${p.relativePath}: ${p.message} [${p.code}]`);
          if (result.problemCount > 20) lines.push(`  … and ${result.problemCount - 20} more (each is in the log)`);
        }
        print(lines.join('\n'), result);
        return result.problemCount > 0 ? ExitCode.BAD_INPUT : ExitCode.OK;
      }),
  );
}
