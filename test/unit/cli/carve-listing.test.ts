import { describe, expect, it } from 'vitest';
import { UNKNOWN, type CarvedRecord } from '../../../src/carve/index.js';
import { carvedRecordLine, carvedValueText } from '../../../src/cli/commands/carve-listing.js';

describe('carve human listing', () => {
  it('shows each value kind: NULL, numbers, quoted and cut text, blob size, lost value, big and non-finite as strings', () => {
    expect(carvedValueText(null)).toBe('NULL');
    expect(carvedValueText(42)).toBe('42');
    expect(carvedValueText(-0.25)).toBe('-0.25');
    expect(carvedValueText(2n ** 60n)).toBe('"1152921504606846976"');
    expect(carvedValueText(Number.NaN)).toBe('"NaN"');
    expect(carvedValueText(Number.NEGATIVE_INFINITY)).toBe('"-Infinity"');
    expect(carvedValueText('say "hi"')).toBe('"say \\"hi\\""');
    expect(carvedValueText('x'.repeat(60))).toBe(`"${'x'.repeat(60)}"`);
    expect(carvedValueText('y'.repeat(61))).toBe(`"${'y'.repeat(57)}…"`);
    expect(carvedValueText(Buffer.alloc(300))).toBe('<blob 300 B>');
    expect(carvedValueText(UNKNOWN)).toBe('?');
  });

  it('lines up table, source and page+offset, and names columns (c<i> when the table is unknown)', () => {
    const known: CarvedRecord = {
      table: 'message',
      columns: ['ROWID', 'text'],
      source: 'freeblock',
      page: 12,
      offset: 3000,
      values: [7, 'hello'],
    };
    expect(carvedRecordLine(known)).toBe('message          freeblock   p12+3000  ROWID=7 text="hello"');
    const orphan: CarvedRecord = { table: null, source: 'wal', page: 3, offset: 8, values: [null, Buffer.from('ab')] };
    expect(carvedRecordLine(orphan)).toBe('(unknown table)  wal         p3+8  c0=NULL c1=<blob 2 B>');
  });
});
