import type { Command } from 'commander';
import { listBackups } from '../../operations/list-backups.js';
import { runCommand } from '../run-command.js';
import { formatBytes } from './format.js';

export function registerBackupsCommand(program: Command): void {
  program
    .command('backups')
    .description(
      "list iTunes/Finder backups (macOS and Windows default folders, iosrescue's own folder, and any --dir)",
    )
    .option(
      '--dir <DIR>',
      'also look in this folder (a backup, or a folder of backups); repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--no-defaults', 'search only the --dir folders')
    .action(async (flags: { dir: string[]; defaults: boolean }, command: Command) =>
      runCommand(command, async ({ print }) => {
        const backups = await listBackups({ dirs: flags.dir, includeDefaults: flags.defaults });
        const human =
          backups.length === 0
            ? 'No backups found.'
            : backups
                .map((b) =>
                  [
                    `${b.deviceName ?? '(unnamed device)'} — ${b.productType ?? '?'}, iOS ${b.productVersion ?? '?'}, ${b.date?.toISOString() ?? 'date unknown'}`,
                    `  ${b.encrypted ? 'encrypted' : 'not encrypted'}, ${formatBytes(b.sizeBytes)}, ${b.complete ? 'complete' : `interrupted (${b.snapshotState ?? 'no Status.plist'})`}`,
                    `  ${b.path}`,
                    ...b.problems.map((p) => `  problem: ${p}`),
                  ].join('\n'),
                )
                .join('\n');
        print(human, backups);
      }),
    );
}
