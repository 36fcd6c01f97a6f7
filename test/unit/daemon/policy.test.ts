import { describe, expect, it } from 'vitest';
import { defaultConfig, type DaemonConfig } from '../../../src/daemon/config.js';
import { backsUpOnAttach, backupDue, retryDelayMs } from '../../../src/daemon/policy.js';

function config(patch: (c: DaemonConfig) => void): DaemonConfig {
  const c = defaultConfig('/state');
  patch(c);
  return c;
}

describe('daemon policy', () => {
  it('backs up on attach all phones, none, or the allow-listed ones', () => {
    expect(
      backsUpOnAttach(
        config(() => undefined),
        'abc',
      ),
    ).toBe(true);
    expect(
      backsUpOnAttach(
        config((c) => (c.backup.onAttach = 'none')),
        'abc',
      ),
    ).toBe(false);
    const listed = config((c) => (c.backup.onAttach = ['00008030-001A0EA86BCFB214']));
    expect(backsUpOnAttach(listed, '00008030-001a0ea86bcfb214')).toBe(true);
    expect(backsUpOnAttach(listed, '00008030-0000000000000000')).toBe(false);
  });

  it('backs up again only after minIntervalHours', () => {
    const c = config((c) => (c.backup.minIntervalHours = 6));
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(backupDue(c, undefined, now)).toBe(true);
    expect(backupDue(c, '2026-01-01T07:00:00Z', now)).toBe(false);
    expect(backupDue(c, '2026-01-01T06:00:00Z', now)).toBe(true);
    // A clock set back: the "future" backup does not block one forever.
    expect(backupDue(c, '2026-02-01T00:00:00Z', now)).toBe(true);
  });

  it('doubles the retry backoff up to its cap and stops after maxAttempts', () => {
    const c = config((c) => {
      c.retry = { maxAttempts: 4, backoffSeconds: 10, maxBackoffSeconds: 25 };
    });
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(c, attempts))).toEqual([10_000, 20_000, 25_000, undefined]);
  });
});
