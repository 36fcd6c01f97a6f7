import { formatBytes, formatDuration, type MediaPullProgress } from '../../operations/index.js';

/**
 * One line of `media pull` progress, redrawn in place on a terminal: files and bytes done of the total, the rate
 * over the last few seconds, and an ETA from it.
 */
export class MediaProgressLine {
  private last?: MediaPullProgress;
  private samples: Array<[number, number]> = [];
  private lastLength = 0;
  private stopped = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  update(progress: MediaPullProgress): void {
    this.last = progress;
    this.samples.push([this.now(), progress.bytesDone]);
    while (this.samples.length > 2 && this.now() - this.samples[0]![0] > 5_000) this.samples.shift();
    this.draw();
  }

  render(): string {
    const p = this.last;
    if (!p) return '';
    if (p.phase === 'listing') return 'listing the media on the phone…';
    const [t0, b0] = this.samples[0] ?? [this.now(), 0];
    const seconds = (this.now() - t0) / 1000;
    const rate = seconds > 0.5 ? (p.bytesDone - b0) / seconds : 0;
    const fraction =
      p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.filesTotal > 0 ? p.files / p.filesTotal : 1;
    const width = 24;
    const bar = `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
    const eta = rate > 0 && fraction < 1 ? ` ETA ${formatDuration((p.bytesTotal - p.bytesDone) / rate)}` : '';
    return `${bar} ${p.files.toLocaleString('en-US')}/${p.filesTotal.toLocaleString('en-US')} files · ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} · ${formatBytes(rate)}/s${eta}`;
  }

  private draw(): void {
    if (this.stopped) return;
    const line = this.render();
    const columns = this.out.columns ?? 100;
    const clipped = line.length >= columns ? `${line.slice(0, columns - 2)}…` : line;
    this.out.write(`\r${clipped}${' '.repeat(Math.max(0, this.lastLength - clipped.length))}`);
    this.lastLength = clipped.length;
  }

  stop(): void {
    if (this.stopped) return;
    if (this.last) this.out.write('\n');
    this.stopped = true;
  }
}
