/**
 * Copies media files a few at a time. Each copy is mostly waiting (open, read, write, utimes go through libuv's
 * thread pool), so one at a time leaves the disk idle between files; a small window keeps it busy without
 * holding more than `limit` files open. The first failure stops new copies and is rethrown by `add` or `drain`.
 */
export class WriteQueue {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit = 8) {}

  /** Starts `task` once fewer than `limit` run; rethrows an earlier task's failure instead. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    this.throwIfFailed();
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Waits for every started copy; rethrows the first failure. Call it in a `finally` too, so no copy outlives its
   * extractor. */
  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
