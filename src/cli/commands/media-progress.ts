import { formatBytes, formatDuration } from '../../operations/format-units.js';
import type { MediaPullProgress } from '../../operations/media-pull.js';
import { barText, InPlaceLine, RecentRate } from '../progress-line.js';

/**
 * One line of `media pull` progress, redrawn in place on a terminal: files and bytes done of the total, the rate
 * over the last few seconds, and an ETA from it.
 */
export class MediaProgressLine {
  private last?: MediaPullProgress;
  private readonly rate = new RecentRate();
  private readonly line: InPlaceLine;
  private stopped = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.line = new InPlaceLine(out);
  }

  update(progress: MediaPullProgress): void {
    this.last = progress;
    this.rate.add(this.now(), progress.bytesDone);
    this.draw();
  }

  render(): string {
    const p = this.last;
    if (!p) return '';
    if (p.phase === 'listing') return 'listing the media on the phone…';
    const rate = this.rate.perSecond(this.now(), p.bytesDone);
    const fraction =
      p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.filesTotal > 0 ? p.files / p.filesTotal : 1;
    const bar = barText(fraction);
    const eta = rate > 0 && fraction < 1 ? ` ETA ${formatDuration((p.bytesTotal - p.bytesDone) / rate)}` : '';
    return `${bar} ${p.files.toLocaleString('en-US')}/${p.filesTotal.toLocaleString('en-US')} files · ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} · ${formatBytes(rate)}/s${eta}`;
  }

  private draw(): void {
    if (this.stopped) return;
    this.line.write(this.render());
  }

  stop(): void {
    if (this.stopped) return;
    if (this.last) this.out.write('\n');
    this.stopped = true;
  }
}
