import type { BackupProgress } from '../operations/backup-progress.js';
import { formatBytes, formatDuration } from '../operations/format-units.js';
import { barText, InPlaceLine, RecentRate } from './progress-line.js';

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/**
 * One line of backup progress, redrawn in place on a terminal: a bar with bytes, rate and ETA while files flow,
 * and while the phone is busy a spinner with what it is waiting for and for how long — a backup never sits
 * silently at 0%. Rate is averaged over the last few seconds so a pause shows as a falling rate, not a frozen one.
 */
export class ProgressBar {
  private last?: BackupProgress;
  private phaseSince = Date.now();
  private readonly rate = new RecentRate();
  private frame = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly line: InPlaceLine;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.line = new InPlaceLine(out);
    this.timer = setInterval(() => this.draw(), 200);
    this.timer.unref();
  }

  update(progress: BackupProgress): void {
    if (progress.phase !== this.last?.phase) {
      if (this.last) this.out.write('\n');
      this.line.forget();
      this.phaseSince = this.now();
    }
    this.last = progress;
    this.rate.add(this.now(), progress.bytesDone);
    this.draw();
  }

  /** The rendered line (also used by tests and the demo). */
  render(): string {
    const p = this.last;
    if (!p) return '';
    const elapsed = formatDuration((this.now() - this.phaseSince) / 1000);
    if (p.phase !== 'transferring') return `${SPINNER[this.frame % SPINNER.length]} ${p.message} (${elapsed})`;
    const rate = this.rate.perSecond(this.now(), p.bytesDone);
    // The phone's own percentage covers the whole backup; byte totals are only announced batch by batch.
    const fraction =
      p.percent !== undefined
        ? Math.min(1, p.percent / 100)
        : p.bytesTotal
          ? Math.min(1, p.bytesDone / p.bytesTotal)
          : undefined;
    const bar = fraction === undefined ? '' : `${barText(fraction)} `;
    const phaseSeconds = (this.now() - this.phaseSince) / 1000;
    const eta =
      fraction !== undefined && fraction > 0.02 && fraction < 1 && phaseSeconds > 1
        ? ` ETA ${formatDuration((phaseSeconds * (1 - fraction)) / fraction)}`
        : '';
    return `${bar}${formatBytes(p.bytesDone)} ${formatBytes(rate)}/s${eta} · ${p.files.toLocaleString('en-US')} files`;
  }

  private draw(): void {
    this.frame += 1;
    const line = this.render();
    if (!line) return;
    this.line.write(line);
  }

  private stopped = false;

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.last) {
      this.draw();
      this.out.write('\n');
    }
  }
}
