import type { Command } from 'commander';
import { runCommand } from '../run-command.js';
import { requireDaemon } from './daemon-route.js';
import { jobLine } from './jobs.js';

export function registerJobCommand(program: Command): void {
  const job = program
    .command('job')
    .description("show or cancel one of the daemon's jobs")
    .addHelpText(
      'after',
      '\nExamples:\n  iosrescue job show 17\n  iosrescue job show 17 --json | jq -r .backupDir\n  iosrescue job cancel 17\n',
    );
  job
    .command('show')
    .description('the job: state, progress, error (code), and for a finished backup its folder')
    .argument('<ID>', 'job id (iosrescue jobs lists them)')
    .action(async (id: string, _flags: unknown, command: Command) =>
      runCommand(command, async ({ print }) => {
        const client = await requireDaemon();
        const view = await client.getJob(id);
        const lines = [
          jobLine(view),
          `  created ${view.createdAt}${view.endedAt ? `, ended ${view.endedAt}` : ''}, attempts ${view.attempts}`,
        ];
        if (view.backupDir) lines.push(`  backup: ${view.backupDir}`);
        if (view.outDir) lines.push(`  output: ${view.outDir}`);
        print(lines.join('\n'), view);
      }),
    );
  job
    .command('cancel')
    .description('cancel the job (a running backup stops cleanly; the previous backup stays intact)')
    .argument('<ID>', 'job id')
    .action(async (id: string, _flags: unknown, command: Command) =>
      runCommand(command, async ({ print }) => {
        const client = await requireDaemon();
        const view = await client.cancelJob(id);
        print(`job ${view.id}: ${view.state}`, view);
      }),
    );
}
