import { describe, expect, it } from 'vitest';
import { dateFlag, isPlausibleDate } from '../../../src/extract/date-check.js';

describe('date-check', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');

  it('accepts dates from 2000-01-01 to a year after now, and no date at all', () => {
    expect(isPlausibleDate('2000-01-01T00:00:00.000Z', now)).toBe(true);
    expect(isPlausibleDate('2012-03-04T05:06:07.000Z', now)).toBe(true);
    expect(isPlausibleDate('2027-05-30T00:00:00.000Z', now)).toBe(true);
    expect(isPlausibleDate(null, now)).toBe(true);
  });

  it('flags a date before 2000 or more than a year ahead (a Unix-seconds value read as seconds since 2001 lands in 2043)', () => {
    expect(isPlausibleDate('1999-12-31T23:59:59.000Z', now)).toBe(false);
    expect(isPlausibleDate('2043-04-05T00:00:00.000Z', now)).toBe(false);
    expect(isPlausibleDate('not a date', now)).toBe(false);
  });

  it('dateFlag adds dateSuspect only when one of the dates is outside the window', () => {
    expect(dateFlag('2020-01-01T00:00:00.000Z', null)).toEqual({});
    expect(dateFlag('2020-01-01T00:00:00.000Z', '2043-01-01T00:00:00.000Z')).toEqual({ dateSuspect: true });
    expect(dateFlag('1970-01-01T00:00:00.000Z')).toEqual({ dateSuspect: true });
  });
});

describe('report dates', () => {
  it('report.html shows an implausible date with "(date unclear)" beside it, a plausible one as is', async () => {
    const { dateTime } = await import('../../../src/extract/report/html.js');
    expect(dateTime('2012-03-11T02:08:09.000Z')).toBe(
      '<time datetime="2012-03-11T02:08:09.000Z">2012-03-11 02:08 UTC</time>',
    );
    expect(dateTime('2043-03-11T02:08:09.000Z')).toBe(
      '<time datetime="2043-03-11T02:08:09.000Z">2043-03-11 02:08 UTC</time> <span class="muted">(date unclear)</span>',
    );
  });
});
