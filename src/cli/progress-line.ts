/** Pieces the CLI's progress lines share: the recent rate, the bar, and a line redrawn in place. */

/** Bytes per second over the last few seconds, so a pause shows as a falling rate, not a frozen one. */
export class RecentRate {
  private samples: Array<[number, number]> = [];

  constructor(private readonly windowMs = 5_000) {}

  add(now: number, bytesDone: number): void {
    this.samples.push([now, bytesDone]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > this.windowMs) this.samples.shift();
  }

  /** 0 until the window spans half a second. */
  perSecond(now: number, bytesDone: number): number {
    const [t0, b0] = this.samples[0] ?? [now, 0];
    const seconds = (now - t0) / 1000;
    return seconds > 0.5 ? (bytesDone - b0) / seconds : 0;
  }
}

/** `[#####...]  42%` for a fraction from 0 to 1. */
export function barText(fraction: number, width = 24): string {
  return `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

/** One terminal line rewritten in place: clipped to the terminal's width, the rest of a longer previous line blanked. */
export class InPlaceLine {
  private lastLength = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  write(line: string): void {
    const columns = this.out.columns ?? 100;
    const clipped = line.length >= columns ? `${line.slice(0, columns - 2)}…` : line;
    this.out.write(`\r${clipped}${' '.repeat(Math.max(0, this.lastLength - clipped.length))}`);
    this.lastLength = clipped.length;
  }

  /** The next write starts a fresh line (nothing to blank). */
  forget(): void {
    this.lastLength = 0;
  }
}
