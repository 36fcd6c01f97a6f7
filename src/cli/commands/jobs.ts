import type { Command } from 'commander';
import type { DaemonEventMessage, DaemonJob } from '../../operations/daemon-client.js';
import { formatBytes } from '../../operations/format-units.js';
import { jsonReplacer, runCommand } from '../run-command.js';
import { requireDaemon } from './daemon-route.js';

interface JobsFlags {
  state?: string;
  type?: string;
  udid?: string;
  limit: string;
  watch: boolean;
}

/** One line per job: id, state, type, phone, progress or outcome. */
export function jobLine(job: DaemonJob): string {
  const what =
    job.state === 'running' && job.progress
      ? `${job.progress.message}${job.progress.bytesDone ? `, ${formatBytes(job.progress.bytesDone)}` : ''}${job.progress.files ? `, ${job.progress.files} files` : ''}`
      : job.error
        ? `${job.error.message} [${job.error.code}]`
        : (job.backupDir ?? job.outDir ?? '');
  const target = job.udid ?? (typeof job.request.backup === 'string' ? job.request.backup : '');
  return `${job.id.padStart(5)}  ${job.state.padEnd(14)} ${job.type.padEnd(10)} ${target.padEnd(26)} ${what}`.trimEnd();
}

export function registerJobsCommand(program: Command): void {
  program
    .command('jobs')
    .description(
      "list the daemon's jobs, newest first (backups, extractions, encryption changes); --watch follows them",
    )
    .option(
      '--state <STATE>',
      'only jobs in this state (queued, running, succeeded, failed, cancelled, interrupted, needs-password)',
    )
    .option('--type <TYPE>', 'only backup, extract or encryption jobs')
    .option('-u, --udid <UDID>', "only this phone's jobs")
    .option('--limit <N>', 'at most this many (1–500)', '50')
    .option('--watch', 'then print a line for each job created or changing state, until Ctrl-C', false)
    .addHelpText(
      'after',
      '\nNeeds a running daemon (iosrescue daemon). With --json: {"jobs": [...], "nextCursor"?} (the API\'s page),\n' +
        'and with --watch one JSON event per line after it.\n\nExamples:\n  iosrescue jobs\n  iosrescue jobs --state failed --json\n  iosrescue jobs --watch\n',
    )
    .action(async (flags: JobsFlags, command: Command) =>
      runCommand(command, async ({ globals, print, signal }) => {
        const client = await requireDaemon();
        const { lastEventId = 0 } = await client.health();
        const page = await client.listJobs({
          state: flags.state,
          type: flags.type,
          udid: flags.udid,
          limit: Number(flags.limit),
        });
        const header = `${'id'.padStart(5)}  ${'state'.padEnd(14)} ${'type'.padEnd(10)} ${'phone / backup'.padEnd(26)} progress / result`;
        print(page.jobs.length === 0 ? 'No jobs.' : [header, ...page.jobs.map(jobLine)].join('\n'), page);
        if (!flags.watch) return;
        try {
          for await (const event of client.events({ after: lastEventId, signal })) {
            if (event.kind !== 'job.created' && event.kind !== 'job.state') continue;
            const job = event.data as unknown as DaemonJob;
            if (flags.udid !== undefined && job.udid !== flags.udid) continue;
            if (flags.type !== undefined && job.type !== flags.type) continue;
            writeEvent(event, job, globals.json);
          }
        } catch (error) {
          if (!signal.aborted) throw error;
        }
      }),
    );
}

function writeEvent(event: DaemonEventMessage, job: DaemonJob, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(event, jsonReplacer)}\n`);
  else process.stdout.write(`${event.time}  ${jobLine(job)}\n`);
}
