import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TextSink } from '../../../src/extract/exporters/text-sink.js';

describe('TextSink.abandonOpen', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iosrescue-sink-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("ends only the failed run's files: another extraction's sink in the same process writes on", async () => {
    let releaseFirst!: () => void;
    const firstMayFinish = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const first = TextSink.track(async () => {
      const sink = new TextSink(join(dir, 'kept.csv'));
      await sink.write('a,b\n');
      await firstMayFinish;
      await sink.write('c,d\n');
      await sink.close();
    });
    const second = TextSink.track(async () => {
      const sink = new TextSink(join(dir, 'failed.csv'));
      await sink.write('half');
      throw new Error('the type failed here');
    });
    await expect(second.done).rejects.toThrow('the type failed here');
    expect(second.sinks.size).toBe(1);
    expect(TextSink.abandonOpen(second.sinks)).toBe(1);
    expect(first.sinks.size).toBe(1);

    releaseFirst();
    await first.done;
    expect(first.sinks.size).toBe(0);
    expect(await readFile(join(dir, 'kept.csv'), 'utf8')).toBe('a,b\nc,d\n');
  });

  it('drops what still arrives for an abandoned sink instead of throwing', async () => {
    const run = TextSink.track(async () => new TextSink(join(dir, 'late.csv')));
    const sink = await run.done;
    TextSink.abandonOpen(run.sinks);
    await expect(sink.write('late row\n')).resolves.toBeUndefined();
    await expect(sink.close()).resolves.toBeUndefined();
  });
});
