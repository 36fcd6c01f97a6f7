import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticBackup } from '../../../src/backup/index.js';
import { emulatorIdentity, sampleIosVersion } from '../../../src/cli/commands/emulator-backup-options.js';
import { generateDeviceContent } from '../../../src/emulator/content/index.js';
import {
  IOS_MAJORS,
  iosVersionProfile,
  NEWEST_IOS,
  parseIosVersion,
} from '../../../src/emulator/content/ios-versions.js';
import { parsePlist } from '../../../src/plist/index.js';

describe('iOS version profiles', () => {
  it('knows every major from 4 to the newest, each with a build of its own', () => {
    expect(IOS_MAJORS[0]).toBe(4);
    expect(IOS_MAJORS.at(-1)).toBe(NEWEST_IOS);
    const builds = IOS_MAJORS.map((major) => iosVersionProfile(major).buildVersion);
    expect(new Set(builds).size).toBe(IOS_MAJORS.length);
    for (const major of IOS_MAJORS) expect(iosVersionProfile(major).productVersion.split('.')[0]).toBe(String(major));
  });

  it('reads "5", "iOS 7" and "16.7.2" and refuses versions it does not know', () => {
    expect(parseIosVersion('5')).toBe(5);
    expect(parseIosVersion('iOS 7')).toBe(7);
    expect(parseIosVersion('16.7.2')).toBe(16);
    expect(() => parseIosVersion('3')).toThrow(/iOS 3 is not one/);
    expect(() => parseIosVersion('five')).toThrow(/not an iOS version/);
  });

  it('sample:ios=N on the emulator picks the content version and the identity the phones report', () => {
    expect(sampleIosVersion('sample')).toBeUndefined();
    expect(sampleIosVersion('sample:ios=9')).toBe(9);
    expect(() => sampleIosVersion('sample:ios=2')).toThrow(/--content/);
    expect(() => sampleIosVersion('sample:android')).toThrow(/sample:ios=N/);
    expect(emulatorIdentity({ content: 'sample' })).toBeUndefined();
    expect(emulatorIdentity({ content: 'sample:ios=5' })).toEqual({
      productVersion: '5.1.1',
      buildVersion: '9B206',
      productType: 'iPhone4,1',
    });
  });

  it('generated content carries its version, and the default is the newest', () => {
    expect(generateDeviceContent({ contacts: 1, messages: 1, photos: 1, calls: 1 }).device.major).toBe(NEWEST_IOS);
    expect(generateDeviceContent({ iosVersion: 7, contacts: 1, messages: 1, photos: 1, calls: 1 }).device).toEqual(
      iosVersionProfile(7),
    );
    expect(() => generateDeviceContent({ iosVersion: 99 })).toThrow(RangeError);
  });

  it('shapes messages to what each version holds: RCS from 18, Recently Deleted from 16, whole seconds before 11', () => {
    const spec = { seed: 'shape', contacts: 12, messages: 80, conversations: 8, photos: 1, calls: 1 };
    const at = (ios: number) => generateDeviceContent({ ...spec, iosVersion: ios }).truth;
    expect(at(18).messages.some((m) => m.service === 'RCS')).toBe(true);
    expect(at(17).messages.some((m) => m.service === 'RCS')).toBe(false);
    expect(at(16).messages.some((m) => m.recentlyDeleted !== null)).toBe(true);
    expect(at(15).messages.some((m) => m.recentlyDeleted !== null)).toBe(false);
    expect(at(10).messages.every((m) => m.date.getTime() % 1000 === 0)).toBe(true);
    expect(at(11).messages.some((m) => m.date.getTime() % 1000 !== 0)).toBe(true);
    const madrid = at(5);
    expect(madrid.messages.filter((m) => m.service === 'SMS').every((m) => m.attachments.length === 0)).toBe(true);
    expect(madrid.messages.some((m) => m.service === 'iMessage' && m.attachments.length > 0)).toBe(true);
    expect(madrid.messages.filter((m) => m.service === 'SMS').every((m) => m.dateRead === null)).toBe(true);
    // The same conversations in every version: only what a version cannot hold changes.
    expect(madrid.messages.map((m) => m.guid)).toEqual(at(18).messages.map((m) => m.guid));
  });

  it("Info.plist of a generated backup reports the content's version", async () => {
    const root = await mkdtemp(join(tmpdir(), 'iosrescue-version-'));
    try {
      const content = generateDeviceContent({ iosVersion: 12, contacts: 1, messages: 1, photos: 1, calls: 1 });
      await writeSyntheticBackup(join(root, 'b'), {
        items: content.items,
        device: { productVersion: content.device.productVersion, buildVersion: content.device.buildVersion },
      });
      const info = parsePlist(await readFile(join(root, 'b', 'Info.plist'))) as Record<string, unknown>;
      expect(info['Product Version']).toBe('12.5.7');
      expect(info['Build Version']).toBe('16H81');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
