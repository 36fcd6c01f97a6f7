import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../../src/extract/write-queue.js';

describe('WriteQueue', () => {
  it('runs at most `limit` tasks at once and waits for all of them in drain()', async () => {
    const queue = new WriteQueue(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      await queue.add(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(5 + (i % 3) * 3);
        running -= 1;
        done.push(i);
      });
    }
    await queue.drain();
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rethrows the first failure from add() or drain(), and starts nothing after it', async () => {
    const queue = new WriteQueue(2);
    const started: number[] = [];
    const failing = async (): Promise<void> => {
      await sleep(1);
      throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    };
    await queue.add(failing);
    await queue.add(async () => {
      started.push(1);
      await sleep(20);
    });
    // The window is full until the failure lands; the next add sees it instead of starting a task.
    await expect(queue.add(async () => void started.push(2))).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(queue.drain()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(started).toEqual([1]);
  });
});
