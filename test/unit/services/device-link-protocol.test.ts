import { describe, expect, it } from 'vitest';
import { parseBinaryPlist, toBinaryPlist } from '../../../src/plist/index.js';
import {
  FileBlock,
  asDeviceLinkMessage,
  deviceCodeForErrno,
  encodeFileBlock,
  encodeStreamPath,
  statusResponse,
  versionsOk,
} from '../../../src/services/device-link/index.js';
import { backupRequest, helloRequest } from '../../../src/services/mobilebackup2/index.js';

describe('DeviceLink codecs (golden bytes)', () => {
  it('encodes a data block as u32 (n+1), 0x0C, data', () => {
    expect(encodeFileBlock(FileBlock.DATA, Buffer.from('abc'))).toEqual(
      Buffer.from([0, 0, 0, 4, 0x0c, 0x61, 0x62, 0x63]),
    );
    expect(encodeFileBlock(FileBlock.SUCCESS)).toEqual(Buffer.from([0, 0, 0, 1, 0x00]));
  });

  it('encodes a stream path as u32 length then UTF-8 bytes', () => {
    expect(encodeStreamPath('U/Status.plist')).toEqual(
      Buffer.concat([Buffer.from([0, 0, 0, 14]), Buffer.from('U/Status.plist')]),
    );
  });

  it('answers the version exchange with DLVersionsOk and the major', () => {
    expect(parseBinaryPlist(toBinaryPlist(versionsOk(400)))).toEqual(['DLMessageVersionExchange', 'DLVersionsOk', 400]);
  });

  it("writes a negative status code as an 8-byte two's complement integer", () => {
    const encoded = toBinaryPlist(statusResponse(-13, 'Multi status', {}));
    // The integer object for -13: marker 0x13 then 8 bytes.
    const marker = encoded.indexOf(Buffer.from([0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf3]));
    expect(marker).toBeGreaterThan(0);
    expect(parseBinaryPlist(encoded)).toEqual(['DLMessageStatusResponse', -13, 'Multi status', {}]);
  });

  it('uses ___EmptyParameterString___ for absent arguments', () => {
    expect(statusResponse(0)).toEqual([
      'DLMessageStatusResponse',
      0,
      '___EmptyParameterString___',
      '___EmptyParameterString___',
    ]);
  });

  it('refuses messages that are not DeviceLink arrays', () => {
    expect(() => asDeviceLinkMessage({ a: 1 })).toThrow(expect.objectContaining({ code: 'DEVICELINK_BAD_MESSAGE' }));
    expect(() => asDeviceLinkMessage(['DLShort'])).toThrow(expect.objectContaining({ code: 'DEVICELINK_BAD_MESSAGE' }));
    expect(asDeviceLinkMessage(['DLMessagePing', 'x'])[0]).toBe('DLMessagePing');
  });

  it('maps host errno codes to the device codes of current libimobiledevice', () => {
    expect([
      deviceCodeForErrno('ENOENT'),
      deviceCodeForErrno('EEXIST'),
      deviceCodeForErrno('ENOSPC'),
      deviceCodeForErrno('EACCES'),
    ]).toEqual([-6, -7, -15, -1]);
  });

  it('sends Hello versions as reals and ForceFullBackup only when asked', () => {
    const hello = parseBinaryPlist(toBinaryPlist(helloRequest())) as {
      SupportedProtocolVersions: Array<{ value: number }>;
    };
    expect(hello.SupportedProtocolVersions.map((v) => v.constructor.name)).toEqual(['Real', 'Real']);
    expect(backupRequest('U')).not.toHaveProperty('Options');
    expect(backupRequest('U', { forceFull: true }).Options).toEqual({ ForceFullBackup: true });
  });
});
