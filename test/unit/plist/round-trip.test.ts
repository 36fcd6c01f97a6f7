import { describe, expect, it } from 'vitest';
import {
  Real,
  Uid,
  parseBinaryPlist,
  parsePlist,
  parseXmlPlist,
  toBinaryPlist,
  toXmlPlist,
  type PlistValue,
} from '../../../src/plist/index.js';

const SAMPLES: Record<string, PlistValue> = {
  'small unsigned': 7,
  negative: -13,
  '64-bit signed min': -(1n << 63n),
  '64-bit signed max': (1n << 63n) - 1n,
  'unsigned 64-bit max': (1n << 64n) - 1n,
  'beyond 2^53': 2n ** 53n + 1n,
  'real 2.0 stays a real': new Real(2),
  'fractional real': new Real(-0.125),
  true: true,
  false: false,
  date: new Date('2024-03-01T12:34:56Z'),
  data: Buffer.from([0, 1, 2, 255]),
  'large data': Buffer.alloc(70_000, 0xab),
  'ascii string': 'ProductVersion',
  'non-BMP unicode string': 'Jörg’s iPhone 📱',
  'string needing escapes': '<a & b>',
  'empty string': '',
  'empty dict': {},
  'empty array': [],
  nested: {
    DeviceList: [{ DeviceID: 3, Properties: { SerialNumber: 'abc', ConnectionSpeed: 480000000 } }],
    Version: new Real(2.1),
  },
  'long array (length needs an integer object)': Array.from({ length: 300 }, (_, i) => i * 1000),
};

describe('plist round trips', () => {
  for (const [name, value] of Object.entries(SAMPLES)) {
    it(`binary keeps ${name} exact`, () => {
      expect(parseBinaryPlist(toBinaryPlist(value))).toEqual(value);
    });
    it(`XML keeps ${name} exact`, () => {
      expect(parseXmlPlist(toXmlPlist(value))).toEqual(value);
    });
  }

  it('keeps a real 2.0 a real through both formats (the device rejects 2 where it wants 2.0)', () => {
    const hello = [
      'DLMessageProcessMessage',
      { MessageName: 'Hello', SupportedProtocolVersions: [new Real(2.0), new Real(2.1)] },
    ];
    const viaBinary = parseBinaryPlist(toBinaryPlist(hello)) as [string, { SupportedProtocolVersions: unknown[] }];
    expect(viaBinary[1].SupportedProtocolVersions[0]).toBeInstanceOf(Real);
    const xml = toXmlPlist(hello);
    expect(xml).toContain('<real>2</real>');
    const viaXml = parseXmlPlist(xml) as [string, { SupportedProtocolVersions: unknown[] }];
    expect(viaXml[1].SupportedProtocolVersions[0]).toEqual(new Real(2));
  });

  it('encodes a plain fractional number as a real, which decodes to Real', () => {
    expect(parseBinaryPlist(toBinaryPlist(2.5))).toEqual(new Real(2.5));
    expect(parseXmlPlist(toXmlPlist(2.5))).toEqual(new Real(2.5));
  });

  it('writes UIDs as binary UID objects and as CoreFoundation CF$UID dicts in XML', () => {
    const archive = { $top: { root: new Uid(1) }, $objects: ['$null', new Uid(300)] };
    expect(parseBinaryPlist(toBinaryPlist(archive))).toEqual(archive);
    const xml = toXmlPlist(archive);
    expect(xml).toContain('<key>CF$UID</key>');
    expect(parseXmlPlist(xml)).toEqual(archive);
  });

  it("writes negative integers as 8-byte two's complement", () => {
    const encoded = toBinaryPlist(-13);
    const marker = encoded.indexOf(0x13, 8);
    expect(marker).toBe(8);
    expect(encoded.readBigInt64BE(9)).toBe(-13n);
  });

  it('writes unsigned values above INT64_MAX as 16-byte integers, as CoreFoundation does', () => {
    const encoded = toBinaryPlist((1n << 64n) - 1n);
    expect(encoded[8]).toBe(0x14);
  });

  it('produces the exact XML a usbmuxd client expects for a Result message', () => {
    expect(toXmlPlist({ MessageType: 'Result', Number: 0 })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
        '<plist version="1.0">\n<dict>\n\t<key>MessageType</key>\n\t<string>Result</string>\n' +
        '\t<key>Number</key>\n\t<integer>0</integer>\n</dict>\n</plist>\n',
    );
  });

  it('detects the format: bplist magic → binary, else XML with a BOM and leading whitespace tolerated', () => {
    expect(parsePlist(toBinaryPlist({ a: 1 }))).toEqual({ a: 1 });
    expect(parsePlist(Buffer.from(`\ufeff  \n${toXmlPlist({ a: 1 })}`))).toEqual({ a: 1 });
  });

  it('reads XML features other writers use: comments, CDATA, entities, hex integers, <true></true>', () => {
    const xml = `<?xml version="1.0"?><!-- c --><plist version="1.0"><dict>
      <key>a&amp;b</key><string><![CDATA[<raw>]]> &#x1F4F1;&#65;</string>
      <key>n</key><integer>0x10</integer><key>t</key><true></true><key>e</key><string/></dict></plist>`;
    expect(parseXmlPlist(xml)).toEqual({ 'a&b': '<raw> 📱A', n: 16, t: true, e: '' });
  });

  it('keeps a "__proto__" key as data, not as the prototype', () => {
    const decoded = parseXmlPlist(
      '<plist><dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict></plist>',
    );
    expect(Object.keys(decoded as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values that have no plist form, with typed errors', () => {
    expect(() => toBinaryPlist(null as unknown as PlistValue)).toThrow(
      expect.objectContaining({ code: 'PLIST_BAD_VALUE' }),
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toBinaryPlist(cyclic as PlistValue)).toThrow(expect.objectContaining({ code: 'PLIST_CYCLE' }));
    expect(() => toXmlPlist(cyclic as PlistValue)).toThrow(expect.objectContaining({ code: 'PLIST_CYCLE' }));
    expect(() => toBinaryPlist(1n << 64n)).toThrow(expect.objectContaining({ code: 'PLIST_BAD_VALUE' }));
    expect(() => toXmlPlist('bell\u0007')).toThrow(expect.objectContaining({ code: 'PLIST_BAD_VALUE' }));
  });
});
