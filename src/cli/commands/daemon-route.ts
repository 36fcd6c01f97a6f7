import type { Command } from 'commander';
import { IosRescueError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { BackupProgress } from '../../operations/backup-progress.js';
import {
  DaemonApiError,
  DaemonClient,
  defaultDaemonSocketPath,
  FINAL_DAEMON_JOB_STATES,
  type DaemonJob,
  type DaemonJobProgress,
  type DaemonJobRequest,
} from '../../operations/daemon-client.js';

/**
 * How `backup`, `extract` and `encryption` go through a running daemon: when this user's daemon answers on its
 * socket, the command submits a job and follows its events, so the daemon (which owns the phones) never fights a
 * CLI command over one; `--no-daemon` runs the work in this process as before.
 */
export function addNoDaemonOption(command: Command): Command {
  return command.option(
    '--no-daemon',
    'run here even when an iosrescue daemon runs for this user (by default the command becomes a daemon job)',
  );
}

/** The running daemon to go through, or undefined (none answers, or --no-daemon). */
export async function daemonToUse(flags: { daemon?: boolean }, logger: Logger): Promise<DaemonClient | undefined> {
  if (flags.daemon === false) return undefined;
  const client = await DaemonClient.find();
  if (client) logger.debug({ socketPath: client.socketPath }, 'an iosrescue daemon runs: the command becomes a job');
  return client;
}

/** The daemon for commands that exist only over it (jobs, job): a clear error when none runs. */
export async function requireDaemon(): Promise<DaemonClient> {
  const socketPath = defaultDaemonSocketPath();
  const client = await DaemonClient.find(socketPath);
  if (!client) {
    throw new DaemonApiError(
      'DAEMON_CLIENT_NOT_RUNNING',
      `no iosrescue daemon answers on ${socketPath}; start one with "iosrescue daemon" (or set IOSRESCUE_STATE_DIR)`,
      { category: 'not-found' },
    );
  }
  return client;
}

/**
 * With a running daemon, refuses a direct run (`--no-daemon`) on a phone the daemon is working on: two backup
 * sessions on one phone make both fail. The daemon may still start a job the moment after; its own job then waits
 * for the phone to be free or fails cleanly, and no backup is damaged (backups are committed atomically).
 */
export async function refuseIfDaemonBusy(udid: string | undefined): Promise<void> {
  const client = await DaemonClient.find();
  if (!client) return;
  const busy = (await client.devices()).find(
    (d) => (udid === undefined || d.udid === udid) && typeof d.jobId === 'string' && d.state !== 'detached',
  );
  if (busy) {
    throw new DaemonApiError(
      'DAEMON_CLIENT_PHONE_BUSY',
      `the iosrescue daemon is working on ${busy.udid} (job ${busy.jobId}, ${busy.state}); wait for it ("iosrescue job show ${busy.jobId}") or run without --no-daemon to queue behind it`,
      { category: 'device-refused' },
    );
  }
}

/** The phone a job is for: the one given, else the only one the daemon sees attached (as selectDevice does). */
export async function daemonDeviceFor(client: DaemonClient, udid: string | undefined): Promise<string> {
  if (udid !== undefined) return udid;
  const attached = (await client.devices()).filter((d) => d.state !== 'detached');
  if (attached.length === 1) return attached[0]!.udid;
  if (attached.length === 0) {
    throw new DaemonApiError('DAEMON_CLIENT_NO_DEVICE', 'the daemon sees no phone attached', {
      category: 'not-found',
    });
  }
  throw new DaemonApiError(
    'DAEMON_CLIENT_SEVERAL_DEVICES',
    `several phones are attached; choose one with -u: ${attached.map((d) => d.udid).join(', ')}`,
    { category: 'usage' },
  );
}

export interface FollowOptions {
  signal: AbortSignal;
  onProgress?(progress: DaemonJobProgress): void;
  /** A sentence for the person: the job was queued, joined, the phone waits for Trust… */
  onMessage?(message: string): void;
}

/**
 * Submits a job and follows it to its end through the event stream, opened from the event id the daemon had just
 * before the submission so nothing in between is missed. Resolves with the succeeded job; a failed one throws its
 * own typed error (same code and exit status as the direct run), a cancelled one an `interrupted` error. Ctrl-C
 * cancels the job on the daemon when this command created it (not one it joined).
 */
export async function runDaemonJob(
  client: DaemonClient,
  request: DaemonJobRequest,
  options: FollowOptions,
): Promise<DaemonJob> {
  const { lastEventId = 0 } = await client.health();
  const askedAt = new Date(Date.now() - 1000).toISOString();
  let job = await client.submitJob(request);
  const ours = job.createdAt >= askedAt && job.origin === 'api';
  options.onMessage?.(
    ours
      ? `queued as daemon job ${job.id} (iosrescue job show ${job.id})`
      : `the daemon already has ${job.type} job ${job.id} for this phone (${job.state}): following it`,
  );
  const stopped = new AbortController();
  let cancelling: Promise<unknown> | undefined;
  const onAbort = (): void => {
    if (ours) cancelling = client.cancelJob(job.id).catch(() => undefined);
    stopped.abort();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  // Ctrl-C while the job was being submitted: the listener came too late to hear it.
  if (options.signal.aborted) onAbort();
  try {
    if (!FINAL_DAEMON_JOB_STATES.includes(job.state)) {
      for await (const event of client.events({ after: lastEventId, signal: stopped.signal })) {
        if (event.kind === 'device.state' && event.udid === job.udid && typeof event.data.message === 'string') {
          if (event.data.state === 'waiting-for-trust') options.onMessage?.(event.data.message);
        }
        if (event.jobId !== job.id) continue;
        if (event.kind === 'job.progress') options.onProgress?.(event.data as unknown as DaemonJobProgress);
        if (event.kind === 'job.state') {
          job = event.data as unknown as DaemonJob;
          if (FINAL_DAEMON_JOB_STATES.includes(job.state)) break;
          if (job.state === 'needs-password' || job.state === 'interrupted')
            options.onMessage?.(`daemon job ${job.id} is ${job.state}`);
        }
      }
    }
    if (options.signal.aborted) {
      // The cancel must reach the daemon before this process ends (runCommand exits 1.5 s after Ctrl-C at most).
      await Promise.race([cancelling, new Promise((r) => setTimeout(r, 1_000).unref())]);
      throw options.signal.reason;
    }
    job = await client.getJob(job.id);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  if (job.state === 'succeeded') return job;
  if (job.state === 'cancelled') {
    throw new DaemonApiError('DAEMON_CANCELLED', `daemon job ${job.id} was cancelled`, { category: 'interrupted' });
  }
  const error = job.error ?? { code: 'UNEXPECTED', message: `daemon job ${job.id} ${job.state}`, category: 'internal' };
  throw new IosRescueError(error.code, `${error.message} (daemon job ${job.id})`, {
    category: error.category,
    details: { jobId: job.id },
  });
}

/** The daemon's job progress as the progress bar draws a backup's. */
export function asBackupProgress(progress: DaemonJobProgress): BackupProgress {
  return progress as unknown as BackupProgress;
}
