import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributedBody } from '../../../src/emulator/content/index.js';
import { attributedBodyText } from '../../../src/extract/index.js';
import { corpusPath } from '../../helpers/backup-corpus.js';

const blobs = corpusPath('imessage-exporter-blobs/streamtyped');

describe.skipIf(blobs === undefined)('attributedBody text on real Messages blobs (imessage-exporter test data)', () => {
  it('reads the message text of each archived NSAttributedString', () => {
    const read = (name: string): string | null => attributedBodyText(readFileSync(join(blobs!, name)));
    expect(read('AttributedBodyTextOnly')).toBe('Noter test');
    expect(read('AttributedBodyTextOnly2')).toBe('Test 3');
    expect(read('Blank')).toBe('');
    expect(read('MultiPart')).toBe('\uFFFCtest 1\uFFFCtest 2 \uFFFCtest 3');
    expect(read('URL')).toBe('https://github.com/ReagentX/Logria');
    expect(read('WeirdText')).toBe('𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉');
    // Its length field claims 157 bytes where 16 follow: refused rather than read past the string.
    expect(read('ExtraData')).toBeNull();
  });

  it("the generator's blob for an empty string is byte for byte the real Blank blob", () => {
    expect(attributedBody('')).toEqual(readFileSync(join(blobs!, 'Blank')));
  });
});

describe('attributedBodyText', () => {
  it('reads back what the generator archives, for one-byte, two-byte and four-byte lengths', () => {
    for (const text of ['hi', 'é'.repeat(100), 'x'.repeat(40_000), 'emoji 🎉 and \uFFFC'])
      expect(attributedBodyText(attributedBody(text))).toBe(text);
  });

  it('returns null for non-typedstream data, a missing string, and a length past the end (nothing allocated from it)', () => {
    expect(attributedBodyText(Buffer.from('bplist00'))).toBeNull();
    expect(attributedBodyText(null)).toBeNull();
    const blob = attributedBody('hello');
    expect(attributedBodyText(blob.subarray(0, blob.length - 5))).toBeNull();
    const lying = Buffer.from(attributedBody('x'.repeat(200)));
    lying.writeUInt16LE(0xffff, lying.indexOf(Buffer.from([0x84, 0x01, 0x2b])) + 4);
    expect(attributedBodyText(lying)).toBeNull();
  });
});
