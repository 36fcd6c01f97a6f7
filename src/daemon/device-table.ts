import type { DeviceState, DeviceView, JobError, JobProgress } from './engine-types.js';

export interface DeviceChange {
  udid: string;
  from: DeviceState | undefined;
  view: DeviceView;
}

/**
 * What the daemon knows about each phone it has seen since it started: the state machine of issue 15 item 1.
 * Every state change is reported to `onChange` (the engine persists it as a `device.state` event); progress is
 * kept on the view without an event of its own (jobs report progress).
 */
export class DeviceTable {
  private readonly views = new Map<string, DeviceView>();
  /** usbmuxd's DeviceIDs per phone: one per connection (USB and Wi-Fi give two). */
  private readonly byUdid = new Map<string, Map<number, { type: string | undefined; at: number }>>();

  constructor(private readonly onChange: (change: DeviceChange) => void) {}

  get(udid: string): DeviceView | undefined {
    const view = this.views.get(udid);
    return view && { ...view };
  }

  all(): DeviceView[] {
    return [...this.views.values()].map((view) => ({ ...view }));
  }

  isAttached(udid: string): boolean {
    return (this.byUdid.get(udid)?.size ?? 0) > 0;
  }

  attachedUdids(): string[] {
    return [...this.byUdid.entries()].filter(([, ids]) => ids.size > 0).map(([udid]) => udid);
  }

  /** Every (UDID, DeviceID) connection attached now, with when it was. */
  connections(): Array<{ udid: string; deviceId: number; at: number }> {
    return [...this.byUdid.entries()].flatMap(([udid, ids]) =>
      [...ids.entries()].map(([deviceId, { at }]) => ({ udid, deviceId, at })),
    );
  }

  udidOf(deviceId: number): string | undefined {
    for (const [udid, ids] of this.byUdid) if (ids.has(deviceId)) return udid;
    return undefined;
  }

  /** A new connection; returns true when the phone was not attached before (a real plug-in). */
  connect(udid: string, deviceId: number, connectionType: string | undefined): boolean {
    let ids = this.byUdid.get(udid);
    if (!ids) this.byUdid.set(udid, (ids = new Map()));
    const first = ids.size === 0;
    ids.set(deviceId, { type: connectionType, at: Date.now() });
    if (first) {
      const now = new Date().toISOString();
      this.set(udid, 'attached', {
        connectionType,
        attachedAt: now,
        detachedAt: undefined,
        message: 'attached',
        error: undefined,
        jobId: undefined,
        progress: undefined,
      });
    }
    return first;
  }

  /** A connection ended; returns true when it was the phone's last (it is detached now). */
  disconnect(udid: string, deviceId: number): boolean {
    const ids = this.byUdid.get(udid);
    if (!ids?.delete(deviceId) || ids.size > 0) return false;
    this.set(udid, 'detached', {
      detachedAt: new Date().toISOString(),
      message: 'unplugged',
      jobId: undefined,
      progress: undefined,
    });
    return true;
  }

  /** Every connection of the phone is gone (usbmuxd restarted without it). */
  disconnectAll(udid: string): void {
    for (const id of [...(this.byUdid.get(udid)?.keys() ?? [])]) this.disconnect(udid, id);
  }

  set(udid: string, state: DeviceState, extra: Partial<DeviceView> = {}): void {
    const previous = this.views.get(udid);
    const view: DeviceView = {
      ...(previous ?? { udid, name: null, state }),
      ...extra,
      udid,
      state,
      updatedAt: new Date().toISOString(),
    };
    for (const key of Object.keys(view) as Array<keyof DeviceView>) if (view[key] === undefined) delete view[key];
    this.views.set(udid, view);
    if (previous?.state !== state || (extra.message !== undefined && previous?.message !== extra.message))
      this.onChange({ udid, from: previous?.state, view: { ...view } });
  }

  /** Progress of the running job: kept on the view, no event (the job's own progress events carry it). */
  progress(udid: string, progress: JobProgress): void {
    const view = this.views.get(udid);
    if (view) view.progress = progress;
  }

  fail(udid: string, error: JobError): void {
    this.set(udid, 'failed', { error, message: error.message, jobId: undefined, progress: undefined });
  }
}
