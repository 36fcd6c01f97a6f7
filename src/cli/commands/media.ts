import type { Command } from 'commander';
import { formatBytes, formatDuration } from '../../operations/format-units.js';
import { listMedia, type MediaListResult } from '../../operations/media-list.js';
import { pullMedia, type MediaPullProgress, type MediaPullResult } from '../../operations/media-pull.js';
import { MEDIA_TYPES, parseMediaDate, parseMediaTypes } from '../../operations/media-types.js';
import { ExitCode } from '../exit-codes.js';
import { runCommand } from '../run-command.js';
import { addUdidOption, cliDeviceAccess } from './device-options.js';
import { MediaProgressLine } from './media-progress.js';

interface PullFlags {
  udid?: string;
  out: string;
  types?: string;
  since?: string;
  until?: string;
  albums: boolean;
}

const TYPES_HELP = `comma-separated: ${MEDIA_TYPES.join(', ')} (default: all)`;

export function registerMediaCommand(program: Command): void {
  const media = program
    .command('media')
    .description(
      "the phone's photos, videos, music, voice recordings and downloads straight over AFC, in minutes and without a backup",
    );

  addUdidOption(
    media
      .command('pull')
      .description(
        'copy originals with their names and capture dates into --out; edited versions beside them, Live Photos with their video, ' +
          'Recently Deleted apart; a re-run copies only what is new, and an interrupted pull resumes',
      )
      .requiredOption('--out <DIR>', 'the folder to copy into (made when missing)')
      .option('--types <LIST>', TYPES_HELP)
      .option('--since <DATE>', 'only items taken on or after DATE (2024-05-01 or an ISO date and time)')
      .option('--until <DATE>', 'only items taken before DATE')
      .option('--albums', 'also fill Albums/<title>/ with your albums (hard links: no extra space)', false),
  )
    .addHelpText(
      'after',
      '\nWhat goes where:\n' +
        "  DCIM/100APPLE/IMG_0001.HEIC          the phone's own folders and names, dated when taken\n" +
        '  DCIM/100APPLE/IMG_0001 (edited).jpg  an edited photo, beside its original\n' +
        "  Recently Deleted/100APPLE/…          photos and videos in the phone's Recently Deleted album\n" +
        "  Music/<artist>/<album>/01 Title.mp3  synced music, named from the phone's music library\n" +
        '  Recordings, Downloads                as on the phone\n' +
        '\nExamples:\n  iosrescue media pull --out ~/Pictures/iPhone\n' +
        '  iosrescue media pull --out photos --types photos,videos --since 2024-01-01 --albums\n' +
        '  iosrescue media pull --out photos --json     (one JSON event per line)\n' +
        '\nExit status: 0 done · 1 some files could not be copied (listed) · 3 no phone · 4 not trusted · 8 cable pulled ' +
        '(run again to resume) · 9 disk full · 130 interrupted (run again to resume)\n',
    )
    .action(async (flags: PullFlags, command: Command) =>
      runCommand(command, async ({ globals, logger, print, signal }) => {
        const types = parseMediaTypes(flags.types);
        const sinceMs = flags.since === undefined ? undefined : parseMediaDate(flags.since, '--since');
        const untilMs = flags.until === undefined ? undefined : parseMediaDate(flags.until, '--until');
        const line = !globals.json && process.stderr.isTTY ? new MediaProgressLine(process.stderr) : undefined;
        const emit = (event: object): void => {
          if (globals.json) process.stdout.write(`${JSON.stringify(event)}\n`);
        };
        try {
          const result = await pullMedia(cliDeviceAccess(logger, signal), {
            udid: flags.udid,
            out: flags.out,
            types,
            sinceMs,
            untilMs,
            albums: flags.albums,
            onProgress: (progress: MediaPullProgress) => {
              line?.update(progress);
              emit({ event: 'progress', ...progress });
            },
            onFile: (file) => emit({ event: 'file', ...file }),
          });
          line?.stop();
          print(pullSummary(result), { event: 'result', ...result });
          return result.problems.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
        } finally {
          line?.stop();
        }
      }),
    );

  addUdidOption(
    media
      .command('ls')
      .description("count what is on the phone's media partition per type, with sizes, without copying anything")
      .option('--types <LIST>', TYPES_HELP),
  )
    .addHelpText('after', '\nExamples:\n  iosrescue media ls\n  iosrescue media ls --types photos,videos --json\n')
    .action(async (flags: { udid?: string; types?: string }, command: Command) =>
      runCommand(command, async ({ logger, print, signal }) => {
        const result = await listMedia(cliDeviceAccess(logger, signal), {
          udid: flags.udid,
          types: parseMediaTypes(flags.types),
        });
        print(listText(result), result);
      }),
    );
}

function pullSummary(result: MediaPullResult): string {
  const rate = result.seconds > 0 ? ` (${formatBytes(result.bytes / result.seconds)}/s)` : '';
  const lines = [
    `Copied ${result.copied.toLocaleString('en-US')} files, ${formatBytes(result.bytes)} in ${formatDuration(result.seconds)}${rate} into ${result.out}`,
    `${result.unchanged.toLocaleString('en-US')} unchanged since the last pull` +
      (result.recentlyDeleted > 0 ? ` · ${result.recentlyDeleted} from Recently Deleted` : '') +
      (result.filtered > 0 ? ` · ${result.filtered} outside the dates asked for` : ''),
  ];
  for (const problem of result.problems)
    lines.push(`not copied: ${problem.path}: ${problem.message} [${problem.code}]`);
  return lines.join('\n');
}

function listText(result: MediaListResult): string {
  const rows = MEDIA_TYPES.map(
    (type) =>
      `  ${type.padEnd(11)} ${result.types[type].files.toLocaleString('en-US').padStart(8)} files  ${formatBytes(result.types[type].bytes).padStart(9)}`,
  );
  return [
    `Media on ${result.udid} (${result.device.model || 'iPhone'}):`,
    ...rows,
    `  of which Recently Deleted: ${result.recentlyDeleted.files} files, ${formatBytes(result.recentlyDeleted.bytes)}`,
    `Free: ${formatBytes(result.device.freeBytes)} of ${formatBytes(result.device.totalBytes)}`,
  ].join('\n');
}
