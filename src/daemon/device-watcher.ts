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
  /** usbmuxd answers again; `present` are the phones attached right now. */
  connected(present: WatchedDevice[]): void;
  /**
   * The phones attached at `askedAt` (ms): one known before then but absent here was unplugged while no Listen
   * was open.
   */
  present(devices: WatchedDevice[], askedAt: number): void;
  attached(device: WatchedDevice): void;
  detached(deviceId: number, udid: string | undefined): void;
  /** usbmuxd went away (or could not be reached); the watcher tries again in `retryInMs`. */
  disconnected(error: unknown, retryInMs: number): void;
}

const SECOND_LOOK_MS = 500;

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

  private async snapshot(): Promise<WatchedDevice[]> {
    const devices = await this.usbmux.listDevices();
    return devices.map((d) => ({ deviceId: d.deviceId, udid: d.udid, connectionType: d.connectionType }));
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let delay = this.backoff.initialMs;
    while (!signal.aborted) {
      try {
        const askedAt = Date.now();
        const present = await this.snapshot();
        this.handlers.connected(present);
        this.handlers.present(present, askedAt);
        delay = this.backoff.initialMs;
        // A phone unplugged between that ListDevices and the Listen below is in neither: a second look, once Listen
        // is surely up, finds it gone (usbmux.listen does not say when its Listen was accepted).
        const second = setTimeout(() => {
          const againAt = Date.now();
          this.snapshot()
            .then((again) => !signal.aborted && this.handlers.present(again, againAt))
            .catch(() => undefined);
        }, SECOND_LOOK_MS);
        for await (const event of watchDevices(defaultDeviceAccess(this.logger, { usbmux: this.usbmux, signal }))) {
          if (event.event === 'attached' && event.udid)
            this.handlers.attached({
              deviceId: event.deviceId,
              udid: event.udid,
              connectionType: event.connectionType,
            });
          else if (event.event === 'detached') this.handlers.detached(event.deviceId, event.udid);
        }
        clearTimeout(second);
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
