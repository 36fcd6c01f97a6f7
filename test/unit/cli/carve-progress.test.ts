import { describe, expect, it } from 'vitest';
import { CarveProgressLine } from '../../../src/cli/commands/carve-progress.js';

/** A terminal that keeps what was written to it. */
function terminal(): NodeJS.WriteStream & { text: string } {
  const out = { columns: 200, text: '', write: (chunk: string) => ((out.text += chunk), true) };
  return out as unknown as NodeJS.WriteStream & { text: string };
}

describe('carve progress line', () => {
  it('shows pages done of all, the rate and an ETA, redraws at most every quarter second, and ends its line', () => {
    const out = terminal();
    let now = 0;
    const line = new CarveProgressLine(out, () => now);
    line.update(0, 10_000);
    now = 100;
    line.update(500, 10_000);
    // Within a quarter second of the last draw: not drawn again.
    expect(out.text.split('\r').filter(Boolean)).toHaveLength(1);
    now = 1_000;
    line.update(2_500, 10_000);
    expect(line.render()).toBe('carving [######..................]  25% 2,500/10,000 pages · 2,500 pages/s · ETA 0:03');
    now = 1_100;
    line.update(10_000, 10_000);
    // The last update always draws; finish ends the line.
    line.finish();
    expect(out.text).toContain('100% 10,000/10,000 pages');
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('writes nothing at all when no page was reported', () => {
    const out = terminal();
    new CarveProgressLine(out, () => 0).finish();
    expect(out.text).toBe('');
  });
});
