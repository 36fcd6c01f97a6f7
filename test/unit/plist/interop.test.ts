import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bplistCreator from 'bplist-creator';
import * as bplistParser from 'bplist-parser';
import { describe, expect, it } from 'vitest';
import {
  Real,
  Uid,
  parseBinaryPlist,
  parseXmlPlist,
  toBinaryPlist,
  toXmlPlist,
  type PlistValue,
} from '../../../src/plist/index.js';

/** A device-like message with every type the two npm libraries model. */
const MESSAGE = {
  MessageType: 'Attached',
  DeviceID: 3,
  Big: 2 ** 40,
  Negative: -13,
  Name: 'Jörg’s iPhone',
  Payload: Buffer.from('hello'),
  When: new Date('2023-05-06T07:08:09Z'),
  Flags: [true, false],
  Nested: { Empty: {}, List: [] as PlistValue[] },
};

describe('plist interop with independent implementations', () => {
  it('bplist-parser reads our binary output to the same values', () => {
    const [decoded] = bplistParser.parseBuffer(toBinaryPlist(MESSAGE));
    expect(decoded).toEqual(MESSAGE);
  });

  it('bplist-parser sees our UIDs as UIDs', () => {
    const [decoded] = bplistParser.parseBuffer<{ root: { UID: number } }>(toBinaryPlist({ root: new Uid(7) }));
    expect(decoded.root.UID).toBe(7);
  });

  it('we read bplist-creator output, including its explicit reals', () => {
    const encoded = bplistCreator({ ...MESSAGE, Version: new bplistCreator.Real(2) } as never);
    expect(parseBinaryPlist(encoded)).toEqual({ ...MESSAGE, Version: new Real(2) });
  });

  const plistutil = spawnSync('sh', ['-c', 'command -v plistutil'], { encoding: 'utf8' }).stdout.trim();
  it.skipIf(!plistutil)('libplist (plistutil) converts our binary to XML and back to the same values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iosrescue-plistutil-'));
    const value = { ...MESSAGE, Version: new Real(2), Huge: (1n << 64n) - 1n, Min: -(1n << 63n) };
    writeFileSync(join(dir, 'in.bplist'), toBinaryPlist(value));
    execFileSync(plistutil, ['-i', join(dir, 'in.bplist'), '-o', join(dir, 'out.xml'), '-f', 'xml']);
    const xml = readFileSync(join(dir, 'out.xml'));
    expect(parseXmlPlist(xml)).toEqual(value);
    execFileSync(plistutil, ['-i', join(dir, 'out.xml'), '-o', join(dir, 'back.bplist'), '-f', 'bin']);
    expect(parseBinaryPlist(readFileSync(join(dir, 'back.bplist')))).toEqual(value);
    // And libplist reads the XML we write.
    writeFileSync(join(dir, 'ours.xml'), toXmlPlist(value));
    execFileSync(plistutil, ['-i', join(dir, 'ours.xml'), '-o', join(dir, 'ours.bplist'), '-f', 'bin']);
    expect(parseBinaryPlist(readFileSync(join(dir, 'ours.bplist')))).toEqual(value);
  });
  if (!plistutil) console.warn('plistutil (Debian libplist-utils) not installed: libplist interop test skipped');
});
