import { describe, expect, it } from 'vitest';
import { throttleProgress, type BackupProgress } from '../../../src/operations/index.js';

const progress = (phase: BackupProgress['phase'], bytesDone: number): BackupProgress => ({
  phase,
  message: phase,
  bytesDone,
  files: 0,
});

describe('throttleProgress', () => {
  it('passes a new phase at once and byte counts within a phase at most twice a second', () => {
    let now = 0;
    const seen: Array<[string, number]> = [];
    const onProgress = throttleProgress((p) => seen.push([p.phase, p.bytesDone]), { now: () => now });
    onProgress(progress('connecting', 0));
    now = 10;
    onProgress(progress('transferring', 1));
    now = 400;
    onProgress(progress('transferring', 2));
    now = 520;
    onProgress(progress('transferring', 3));
    now = 530;
    onProgress(progress('committing', 3));
    expect(seen).toEqual([
      ['connecting', 0],
      ['transferring', 1],
      ['transferring', 3],
      ['committing', 3],
    ]);
  });
});
