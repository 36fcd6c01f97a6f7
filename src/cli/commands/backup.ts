import { resolve } from 'node:path';
import type { Command } from 'commander';
import { backupDevice } from '../../operations/backup-device.js';
import type { BackupProgress } from '../../operations/backup-progress.js';
import { defaultBackupFolder } from '../../operations/default-backup-folder.js';
import { formatBytes, formatDuration } from '../../operations/format-units.js';
import { throttleProgress } from '../../operations/progress-throttle.js';
import { ProgressBar } from '../progress-bar.js';
import { runCommand } from '../run-command.js';
import {
  addNoDaemonOption,
  asBackupProgress,
  daemonDeviceFor,
  daemonToUse,
  refuseIfDaemonBusy,
  runDaemonJob,
} from './daemon-route.js';
import { addUdidOption, cliDeviceAccess } from './device-options.js';

export function registerBackupCommand(program: Command): void {
  addNoDaemonOption(
    addUdidOption(
      program
        .command('backup')
        .description(
          'pull a backup of the phone (incremental when a previous one exists); the previous backup stays intact if anything goes wrong',
        )
        .option(
          '--out <DIR>',
          `folder that holds <UDID>/ backups (default: ${defaultBackupFolder()}; or set IOSRESCUE_BACKUP_DIR)`,
        )
        .option('--full', 'ask the phone for a full backup even when an incremental one is possible', false),
    ),
  )
    .addHelpText(
      'after',
      '\nWhen an iosrescue daemon runs for this user, the backup becomes a daemon job (the command follows it; a\n' +
        "backup of a phone the daemon is already backing up follows that one); without --out the daemon's backups\n" +
        'folder is used. --no-daemon runs it here, and is refused while the daemon works on the phone.\n' +
        '\nExamples:\n  iosrescue backup\n  iosrescue backup --out /mnt/backups --full\n  iosrescue backup -u 00008030-001A2B3C4D5E802E --json\n',
    )
    .action(async (flags: { udid?: string; out?: string; full: boolean; daemon: boolean }, command: Command) =>
      runCommand(command, async ({ globals, logger, print, signal }) => {
        const bar = !globals.json && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
        const onProgress = bar
          ? (progress: BackupProgress) => bar.update(progress)
          : throttleProgress((progress) =>
              (globals.json ? process.stdout : process.stderr).write(
                `${JSON.stringify({ event: 'progress', ...progress })}\n`,
              ),
            );
        const report = (result: {
          path: string;
          full: boolean;
          encrypted: boolean;
          files: number;
          bytes: number;
          seconds: number;
        }): void => {
          const rate = result.seconds > 0 ? ` (${formatBytes(result.bytes / result.seconds)}/s)` : '';
          print(
            `Backup complete: ${result.path}\n${result.full ? 'full' : 'incremental'}, ${result.encrypted ? 'encrypted' : 'not encrypted'}, ` +
              `${result.files.toLocaleString('en-US')} files, ${formatBytes(result.bytes)} received in ${formatDuration(result.seconds)}${rate}`,
            { event: 'result', ...result },
          );
        };
        const daemon = await daemonToUse(flags, logger);
        if (daemon) {
          try {
            const job = await runDaemonJob(
              daemon,
              {
                type: 'backup',
                udid: await daemonDeviceFor(daemon, flags.udid),
                full: flags.full,
                ...(flags.out !== undefined && { out: resolve(flags.out) }),
              },
              {
                signal,
                onProgress: (progress) => onProgress(asBackupProgress(progress)),
                onMessage: (message) => (bar ? logger.info(message) : process.stderr.write(`${message}\n`)),
              },
            );
            bar?.stop();
            const r = job.result ?? {};
            report({
              path: job.backupDir ?? '',
              full: r.full === true,
              encrypted: r.encrypted === true,
              files: Number(r.files ?? 0),
              bytes: Number(r.bytes ?? 0),
              seconds: Number(r.seconds ?? 0),
            });
          } finally {
            bar?.stop();
          }
          return;
        }
        if (flags.daemon === false) await refuseIfDaemonBusy(flags.udid);
        // The Trust prompt is shown by the progress line itself; without a bar it goes out as a progress event.
        const access = { ...cliDeviceAccess(logger, signal), onWaiting: undefined };
        try {
          const result = await backupDevice(access, {
            udid: flags.udid,
            out: flags.out ?? defaultBackupFolder(),
            full: flags.full,
            onProgress,
          });
          bar?.stop();
          report(result);
        } finally {
          bar?.stop();
        }
      }),
    );
}
