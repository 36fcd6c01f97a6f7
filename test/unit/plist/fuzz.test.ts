import { describe, expect, it } from 'vitest';
import {
  PlistError,
  Real,
  Uid,
  decodeKeyedArchive,
  parsePlist,
  toBinaryPlist,
  toXmlPlist,
  type PlistValue,
} from '../../../src/plist/index.js';

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CASES = Number(process.env.FUZZ_CASES ?? 4000);

const VALID: PlistValue[] = [
  {
    Request: 'StartSession',
    HostID: 'ABCD',
    SystemBUID: 'EF01',
    Nested: { list: [1, -2, new Real(2.5), true, new Date(0)] },
  },
  ['DLMessageProcessMessage', { MessageName: 'Hello', SupportedProtocolVersions: [new Real(2), new Real(2.1)] }],
  {
    $archiver: 'NSKeyedArchiver',
    $version: 100000,
    $top: { root: new Uid(1) },
    $objects: [
      '$null',
      { Size: 5, RelativePath: new Uid(2), $class: new Uid(3) },
      'Library/SMS/sms.db',
      { $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] },
    ],
  },
  { Data: Buffer.alloc(100, 7), Big: (1n << 64n) - 1n, Text: `${'x'.repeat(40)}é` },
];

/** Runs one input; anything but a value or a PlistError is a defect, and so is slowness. */
function probe(input: Buffer, label: string): void {
  const started = performance.now();
  try {
    const value = parsePlist(input);
    try {
      decodeKeyedArchive(value);
    } catch (error) {
      if (!(error instanceof PlistError)) throw new Error(`${label}: archive decoding threw ${String(error)}`);
    }
  } catch (error) {
    if (!(error instanceof PlistError)) {
      throw new Error(
        `${label}: threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message} (seed ${SEED})`,
      );
    }
  }
  const elapsed = performance.now() - started;
  if (elapsed > 500) throw new Error(`${label}: took ${elapsed.toFixed(0)} ms (seed ${SEED})`);
}

function mutate(source: Buffer, random: () => number): Buffer {
  const out = Buffer.from(source);
  const kind = Math.floor(random() * 5);
  if (kind === 0) {
    for (let i = 0; i < 1 + random() * 8; i++) out[Math.floor(random() * out.length)] ^= 1 << Math.floor(random() * 8);
    return out;
  }
  if (kind === 1) return out.subarray(0, Math.floor(random() * out.length));
  if (kind === 2) {
    // Corrupt the trailer or offset table, where counts and offsets live.
    const at = Math.max(0, out.length - 1 - Math.floor(random() * 48));
    out[at] = Math.floor(random() * 256);
    return out;
  }
  if (kind === 3) {
    // Claim a huge length on some object marker.
    const at = 8 + Math.floor(random() * Math.max(1, out.length - 40));
    out[at] = (out[at]! & 0xf0) | 0x0f;
    if (at + 1 < out.length) out[at + 1] = 0x13;
    for (let i = 2; i < 10 && at + i < out.length; i++) out[at + i] = 0xff;
    return out;
  }
  const random_bytes = Buffer.alloc(Math.floor(random() * 256));
  for (let i = 0; i < random_bytes.length; i++) random_bytes[i] = Math.floor(random() * 256);
  return random() < 0.5 ? Buffer.concat([Buffer.from('bplist00'), random_bytes]) : random_bytes;
}

describe('plist decoders under hostile input', () => {
  it(`return a value or throw PlistError for ${CASES} mutated binary plists (seed ${SEED})`, () => {
    const random = prng(SEED);
    for (let i = 0; i < CASES; i++) {
      const source = toBinaryPlist(VALID[i % VALID.length]!);
      probe(mutate(source, random), `binary case ${i}`);
    }
  });

  it(`return a value or throw PlistError for ${CASES / 4} mutated XML plists (seed ${SEED})`, () => {
    const random = prng(SEED + 1);
    for (let i = 0; i < CASES / 4; i++) {
      const source = Buffer.from(toXmlPlist(VALID[i % VALID.length]!));
      probe(mutate(source, random), `xml case ${i}`);
    }
  });

  it('refuses a container that references itself (a cycle) instead of recursing forever', () => {
    // bplist00, object 0 = array of 1 ref → object 0; offset table at 10; trailer.
    const body = Buffer.from([0xa1, 0x00]);
    const table = Buffer.from([8]);
    const trailer = Buffer.alloc(32);
    trailer[6] = 1;
    trailer[7] = 1;
    trailer.writeBigUInt64BE(1n, 8);
    trailer.writeBigUInt64BE(0n, 16);
    trailer.writeBigUInt64BE(10n, 24);
    const cyclic = Buffer.concat([Buffer.from('bplist00'), body, table, trailer]);
    expect(() => parsePlist(cyclic)).toThrow(expect.objectContaining({ code: 'PLIST_CYCLE' }));
  });

  it('refuses an absurd object count before allocating for it', () => {
    const valid = toBinaryPlist({ a: 1 });
    const hostile = Buffer.from(valid);
    hostile.writeBigUInt64BE(1n << 40n, hostile.length - 24);
    expect(() => parsePlist(hostile)).toThrow(PlistError);
  });

  it('refuses a small file that expands exponentially through shared references', () => {
    // 40 arrays, each holding the next one twice: 2^40 nodes if followed naively.
    const count = 41;
    const objects: Buffer[] = [];
    for (let i = 0; i < count - 1; i++) objects.push(Buffer.from([0xa2, i + 1, i + 1]));
    objects.push(Buffer.from([0x09]));
    let position = 8;
    const offsets = objects.map((o) => {
      const at = position;
      position += o.length;
      return at;
    });
    const trailer = Buffer.alloc(32);
    trailer[6] = 1;
    trailer[7] = 1;
    trailer.writeBigUInt64BE(BigInt(count), 8);
    trailer.writeBigUInt64BE(BigInt(position), 24);
    const bomb = Buffer.concat([Buffer.from('bplist00'), ...objects, Buffer.from(offsets), trailer]);
    expect(() => parsePlist(bomb)).toThrow(expect.objectContaining({ code: 'PLIST_TOO_LARGE' }));
  });

  it('refuses XML nested deeper than the limit instead of overflowing the stack', () => {
    const deep = `<plist>${'<array>'.repeat(100_000)}${'</array>'.repeat(100_000)}</plist>`;
    expect(() => parsePlist(Buffer.from(deep))).toThrow(expect.objectContaining({ code: 'PLIST_TOO_LARGE' }));
  });
});
