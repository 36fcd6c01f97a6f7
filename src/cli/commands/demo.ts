import type { Command } from 'commander';
import type { BackupProgress } from '../../operations/backup-progress.js';
import { runDemo } from '../../operations/demo.js';
import { ProgressBar } from '../progress-bar.js';
import { runCommand } from '../run-command.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'try iosrescue without a phone: start the built-in virtual iPhone, pair with it (Trust dialog included), show its values, pull a backup, show what it holds, save it all (deleted items included) into a folder and write the report page to browse it',
    )
    .option('--trust-delay <SECONDS>', 'how long the virtual owner takes to tap Trust', '2')
    .option(
      '--keep',
      "keep the virtual iPhone's folder (its state, our pair record and the backup) instead of deleting it",
      false,
    )
    .option(
      '--out <DIR>',
      'where to save the extracted data and report.html (default: a new iosrescue-demo-* folder in the temp folder, kept); must be empty or new',
    )
    .addHelpText(
      'after',
      '\nEverything runs in a temporary folder over a private usbmuxd socket: real phones and their pairings are not touched.\n',
    )
    .action(async (flags: { trustDelay: string; keep: boolean; out?: string }, command: Command) =>
      runCommand(command, async ({ logger, print, globals, signal }) => {
        const bar = !globals.json && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
        const result = await runDemo({
          trustDelaySeconds: Number(flags.trustDelay),
          keep: flags.keep,
          out: flags.out,
          logger,
          signal,
          onLine: globals.json ? undefined : (line) => process.stdout.write(`${line}\n`),
          onBackupProgress: bar
            ? (progress: BackupProgress) => {
                bar.update(progress);
                if (progress.phase === 'done') bar.stop();
              }
            : undefined,
        });
        print('', result);
      }),
    );
}
