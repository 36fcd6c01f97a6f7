import type { JobProgress } from './types.js';

interface Sample {
  at: number;
  bytes: number;
}

/**
 * Rate and time left of a running job from the progress events it sends (about one a second): the rate is measured
 * over the last ~10 s of samples, so one slow file does not swing the estimate.
 */
export class ProgressRates {
  private readonly samples = new Map<string, Sample[]>();

  record(jobId: string, progress: JobProgress, now = Date.now()): void {
    const list = this.samples.get(jobId) ?? [];
    list.push({ at: now, bytes: progress.bytesDone });
    while (list.length > 2 && now - list[0]!.at > 10_000) list.shift();
    this.samples.set(jobId, list);
  }

  forget(jobId: string): void {
    this.samples.delete(jobId);
  }

  /** Bytes a second, or undefined until two samples a moment apart exist. */
  rate(jobId: string): number | undefined {
    const list = this.samples.get(jobId);
    if (!list || list.length < 2) return undefined;
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const seconds = (last.at - first.at) / 1000;
    if (seconds < 0.5 || last.bytes < first.bytes) return undefined;
    return (last.bytes - first.bytes) / seconds;
  }

  /** Milliseconds left, when the total and a rate are known. */
  eta(jobId: string, progress: JobProgress): number | undefined {
    const rate = this.rate(jobId);
    if (!rate || progress.bytesTotal === undefined) return undefined;
    return ((progress.bytesTotal - progress.bytesDone) / rate) * 1000;
  }
}
