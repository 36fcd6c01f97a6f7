import type { Logger } from '../logging.js';
import type { LockdownSession } from '../lockdown/index.js';
import { AfcClient, acquireSyncLock } from '../services/afc/index.js';
import { NotificationProxyClient, SyncNotification } from '../services/notification-proxy/index.js';

export interface SyncWatch {
  onCancel(): void;
  onPasscodePrompt(shown: boolean): void;
}

/**
 * What Finder and idevicebackup2 do around a backup (native-notes/protocols/mobilebackup2.md
 * "Before the backup service" steps 3, 4, 8, 12): observe the sync notifications (a cancel request from the phone
 * ends the backup), take the AFC sync lock so the phone's own sync jobs stay out of the way, and announce the sync
 * start and end. AFC is optional (idevicebackup2 tolerates its
 * absence); notification_proxy is not.
 */
export class BackupSync {
  private lock?: { release(): Promise<void> };
  private readonly watching = new AbortController();
  private watcher?: Promise<void>;

  private constructor(
    private readonly session: LockdownSession,
    private readonly observer: NotificationProxyClient,
    private readonly afc: AfcClient | undefined,
    private readonly logger: Logger,
  ) {}

  static async start(session: LockdownSession, watch: SyncWatch, logger: Logger): Promise<BackupSync> {
    const observer = await NotificationProxyClient.open(session);
    for (const name of [
      SyncNotification.CANCEL_REQUEST,
      SyncNotification.SUSPEND_REQUEST,
      SyncNotification.RESUME_REQUEST,
      SyncNotification.BACKUP_DOMAIN_CHANGED,
      SyncNotification.PASSCODE_PRESENTED,
      SyncNotification.PASSCODE_DISMISSED,
    ]) {
      await observer.observe(name);
    }
    let afc: AfcClient | undefined;
    try {
      afc = await AfcClient.open(session);
    } catch (error) {
      logger.warn({ reason: (error as Error).message }, 'AFC is not available: backing up without the sync lock');
    }
    const sync = new BackupSync(session, observer, afc, logger);
    sync.watcher = sync.watch(watch);
    return sync;
  }

  private async watch(watch: SyncWatch): Promise<void> {
    try {
      for await (const name of this.observer.notifications(this.watching.signal)) {
        this.logger.debug({ notification: name }, 'notification from the phone');
        if (name === SyncNotification.CANCEL_REQUEST) watch.onCancel();
        else if (name === SyncNotification.PASSCODE_PRESENTED) watch.onPasscodePrompt(true);
        else if (name === SyncNotification.PASSCODE_DISMISSED) watch.onPasscodePrompt(false);
      }
    } catch (error) {
      this.logger.debug({ reason: (error as Error).message }, 'notification_proxy watch ended');
    }
  }

  /** A separate notification_proxy connection per post, shut down so the post is delivered (as idevicebackup2). */
  async post(name: string): Promise<void> {
    const client = await NotificationProxyClient.open(this.session);
    await client.post(name);
    await client.shutdown();
  }

  async lockSync(): Promise<void> {
    await this.post(SyncNotification.WILL_START);
    if (!this.afc) return;
    await this.post(SyncNotification.LOCK_REQUEST);
    this.lock = await acquireSyncLock(this.afc);
    await this.post(SyncNotification.DID_START);
  }

  /** Releases the lock and says the sync finished; never throws (the phone may already be gone). */
  async finish(options: { posted: boolean }): Promise<void> {
    await this.lock?.release().catch(() => undefined);
    this.lock = undefined;
    if (options.posted)
      await this.post(SyncNotification.DID_FINISH).catch((error: Error) =>
        this.logger.debug({ reason: error.message }, 'syncDidFinish not delivered'),
      );
  }

  /** Closing the observing connection ends the watch; the phone treats a closed connection as a Shutdown. */
  async close(): Promise<void> {
    this.watching.abort();
    this.afc?.close();
    await this.watcher;
  }
}
