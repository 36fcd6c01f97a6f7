import { describe, expect, it } from 'vitest';
import { MediaProgressLine } from '../../../src/cli/commands/media-progress.js';

/** A terminal stand-in: what was written, and a width. */
function terminal(): NodeJS.WriteStream & { text: string } {
  const out = { text: '', columns: 200, write: (chunk: string) => ((out.text += chunk), true) };
  return out as unknown as NodeJS.WriteStream & { text: string };
}

describe('media pull progress line', () => {
  it('shows files and bytes done of the total, the rate over the last seconds, and an ETA from it', () => {
    let now = 0;
    const line = new MediaProgressLine(terminal(), () => now);
    line.update({ phase: 'copying', files: 0, filesTotal: 100, bytesDone: 0, bytesTotal: 100_000_000 });
    now = 2_000;
    line.update({ phase: 'copying', files: 25, filesTotal: 100, bytesDone: 20_000_000, bytesTotal: 100_000_000 });
    const text = line.render();
    expect(text).toContain('25/100 files');
    expect(text).toContain('20.0 MB of 100.0 MB');
    expect(text).toContain('10.0 MB/s');
    expect(text).toMatch(/ 20%/);
    expect(text).toContain('ETA 0:08');
  });

  it('says it is listing before any file is known, and ends its line once', () => {
    const out = terminal();
    const line = new MediaProgressLine(out, () => 0);
    line.update({ phase: 'listing', files: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
    expect(line.render()).toContain('listing');
    line.stop();
    line.stop();
    expect(out.text.match(/\n/g)).toHaveLength(1);
  });
});
