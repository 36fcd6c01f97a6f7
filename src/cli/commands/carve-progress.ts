import { formatDuration } from '../../operations/format-units.js';
import { barText, InPlaceLine, RecentRate } from '../progress-line.js';

/**
 * One line of `carve` progress on a terminal while the records go to a file or a pipe: the main file's pages carved
 * of all, the rate over the last few seconds and an ETA from it. Redrawn at most every quarter second.
 */
export class CarveProgressLine {
  private readonly rate = new RecentRate();
  private readonly line: InPlaceLine;
  private done = 0;
  private total = 0;
  private lastDraw = -Infinity;

  constructor(
    out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.line = new InPlaceLine(out);
  }

  update(done: number, total: number): void {
    this.done = done;
    this.total = total;
    const now = this.now();
    this.rate.add(now, done);
    if (done < total && now - this.lastDraw < 250) return;
    this.lastDraw = now;
    this.line.write(this.render());
  }

  render(): string {
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const perSecond = this.rate.perSecond(this.now(), this.done);
    const eta = perSecond > 0 && fraction < 1 ? ` · ETA ${formatDuration((this.total - this.done) / perSecond)}` : '';
    const rate = perSecond > 0 ? ` · ${Math.round(perSecond).toLocaleString('en-US')} pages/s` : '';
    return `carving ${barText(fraction)} ${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} pages${rate}${eta}`;
  }

  /** Ends the line, so what follows starts on its own. */
  finish(): void {
    if (this.lastDraw > -Infinity) this.line.write(`${this.render()}\n`);
    this.line.forget();
  }
}
