import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api.js';
import { ProgressRates } from './progress-rate.js';
import type { Device, Job, JobProgress } from './types.js';

export interface LiveState {
  devices: Device[];
  jobs: Job[];
  rates: ProgressRates;
  /** Fetches devices and jobs again (after an action, without waiting for its event). */
  refresh(): void;
  /** The event stream is connected. */
  connected: boolean;
}

const REFRESH_KINDS = ['device.state', 'job.created', 'job.state', 'usbmuxd.connected', 'usbmuxd.disconnected'];

/**
 * Devices and jobs kept current by the daemon's Server-Sent Events: a state change fetches both lists again
 * (coalesced), a progress event updates the one job and its phone in place and feeds the rate/ETA estimate.
 */
export function useLiveState(onError: (error: unknown) => void): LiveState {
  const [devices, setDevices] = useState<Device[]>([]);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [connected, setConnected] = useState(false);
  const rates = useMemo(() => new ProgressRates(), []);

  const live = useMemo(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Loads can overlap (an action's refresh, then its event's): an answer older than one shown is dropped, or a
    // slow stale answer would undo the newer one and no later event would correct it.
    let started = 0;
    let shown = 0;
    const load = async () => {
      const mine = ++started;
      try {
        const [deviceList, jobPage] = await Promise.all([
          api<Device[]>('GET', '/v1/devices'),
          api<{ jobs: Job[] }>('GET', '/v1/jobs?limit=100'),
        ]);
        if (mine < shown) return;
        shown = mine;
        setDevices(deviceList);
        setJobs(jobPage.jobs);
      } catch (error) {
        onError(error);
      }
    };
    return {
      load,
      soon() {
        if (timer) return;
        timer = setTimeout(() => {
          timer = undefined;
          void load();
        }, 150);
      },
    };
  }, [onError]);

  useEffect(() => {
    void live.load();
    const events = new EventSource('/v1/events');
    events.onopen = () => setConnected(true);
    events.onerror = () => setConnected(false);
    for (const kind of REFRESH_KINDS) events.addEventListener(kind, () => live.soon());
    events.addEventListener('job.progress', (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as { jobId?: string; udid?: string; data: JobProgress };
      const jobId = event.jobId;
      if (!jobId) return;
      rates.record(jobId, event.data);
      setJobs((list) => list.map((job) => (job.id === jobId ? { ...job, progress: event.data } : job)));
      setDevices((list) =>
        list.map((device) => (device.jobId === jobId ? { ...device, progress: event.data } : device)),
      );
    });
    return () => events.close();
  }, [live, rates]);

  return { devices, jobs, rates, refresh: () => void live.load(), connected };
}
