import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging.js';
import { defaultDeviceAccess, watchDevices } from '../operations/index.js';
import type { UsbmuxClient } from '../usbmux/index.js';

export interface WatchedDevice {
  deviceId: number;
  udid: string;
  connectionType?: string;
}

export interface DeviceWatcherHandlers {
  /** Listen is up; `present` are the phones attached right now (a phone absent here left while usbmuxd was away). */
  connected(present: WatchedDevice[]): void;
  attached(device: WatchedDevice): void;
  detached(deviceId: number, udid: string | undefined): void;
  /** usbmuxd went away (or could not be reached); the watcher tries again in `retryInMs`. */
  disconnected(error: unknown, retryInMs: number): void;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Keeps a usbmuxd Listen open for as long as the daemon runs. usbmuxd restarts (a package upgrade, a crash, the
 * phone's USB stack resetting) end the Listen connection; the watcher reconnects with doubling backoff, starting
 * again from a ListDevices snapshot so phones unplugged in the gap are noticed.
 */
export class DeviceWatcher {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly usbmux: UsbmuxClient,
    private readonly handlers: DeviceWatcherHandlers,
    private readonly logger: Logger,
    private readonly backoff: BackoffOptions = { initialMs: 250, maxMs: 10_000 },
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let delay = this.backoff.initialMs;
    while (!signal.aborted) {
      try {
        const present = await this.usbmux.listDevices();
        this.handlers.connected(
          present.map((d) => ({ deviceId: d.deviceId, udid: d.udid, connectionType: d.connectionType })),
        );
        delay = this.backoff.initialMs;
        for await (const event of watchDevices(defaultDeviceAccess(this.logger, { usbmux: this.usbmux, signal }))) {
          if (event.event === 'attached' && event.udid)
            this.handlers.attached({
              deviceId: event.deviceId,
              udid: event.udid,
              connectionType: event.connectionType,
            });
          else if (event.event === 'detached') this.handlers.detached(event.deviceId, event.udid);
        }
        if (signal.aborted) return;
        this.handlers.disconnected(new Error('usbmuxd ended the Listen connection'), delay);
      } catch (error) {
        if (signal.aborted) return;
        this.handlers.disconnected(error, delay);
      }
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      delay = Math.min(delay * 2, this.backoff.maxMs);
    }
  }
}
