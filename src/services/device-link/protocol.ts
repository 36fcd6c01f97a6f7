/**
 * DeviceLink, the message layer under mobilebackup2, as pure functions. Facts: libimobiledevice
 * src/device_link_service.c, src/mobilebackup2.c, tools/idevicebackup2.c (native-notes/protocols/device-link.md
 * "Version exchange"; native-notes/protocols/mobilebackup2.md "Status responses", "Device messages during a backup",
 * "File streams").
 */
import type { PlistDict, PlistValue } from '../../plist/index.js';
import { DeviceLinkError } from './errors.js';

/** Apple's literal for an absent string or dict argument. */
export const DL_EMPTY = '___EmptyParameterString___';

/** The highest DeviceLink major version we speak: iOS 14+ devices send 400, older ones 300. */
export const DL_MAX_MAJOR = 400;

export type DeviceLinkMessage = [string, ...PlistValue[]];

/** A DeviceLink message is an array whose first item is a string starting with "DL", at least 9 characters long. */
export function asDeviceLinkMessage(value: PlistValue): DeviceLinkMessage {
  if (!Array.isArray(value) || typeof value[0] !== 'string' || !value[0].startsWith('DL') || value[0].length < 9) {
    throw new DeviceLinkError('DEVICELINK_BAD_MESSAGE', 'the device sent something that is not a DeviceLink message');
  }
  return value as DeviceLinkMessage;
}

export function versionsOk(major: number): DeviceLinkMessage {
  return ['DLMessageVersionExchange', 'DLVersionsOk', major];
}

export function processMessage(payload: PlistDict): DeviceLinkMessage {
  return ['DLMessageProcessMessage', payload];
}

/** `["DLMessageStatusResponse", code, text, value]`; negative codes travel as 8-byte two's complement. */
export function statusResponse(code: number, text?: string, value?: PlistValue): DeviceLinkMessage {
  return ['DLMessageStatusResponse', code, text || DL_EMPTY, value ?? DL_EMPTY];
}

export function disconnectMessage(reason?: string): DeviceLinkMessage {
  return ['DLMessageDisconnect', reason || DL_EMPTY];
}

/** Block codes of the raw file streams that follow DownloadFiles and UploadFiles. */
export const FileBlock = {
  /** The file is complete (length 1, no payload). */
  SUCCESS: 0x00,
  /** Host → device: the host could not read the file; payload = error text. */
  LOCAL_ERROR: 0x06,
  /** Device → host: the device could not read the file (or ended it this way); payload = error text. */
  REMOTE_ERROR: 0x0b,
  /** File data. */
  DATA: 0x0c,
} as const;

/** `u32 (n+1), code, n bytes`: one buffer so the header and a small payload go out in one write. */
export function encodeFileBlock(code: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out.writeUInt32BE(payload.length + 1, 0);
  out[4] = code;
  payload.copy(out, 5);
  return out;
}

/** `u32 length, UTF-8 bytes`: how stream paths are sent. */
export function encodeStreamPath(path: string): Buffer {
  const bytes = Buffer.from(path, 'utf8');
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  bytes.copy(out, 4);
  return out;
}

/** `u32 0`: ends a file stream (no more files). */
export const STREAM_END = Buffer.alloc(4);

/**
 * A host-side errno as the device codes of DLMessageStatusResponse (current libimobiledevice and pymobiledevice3):
 * ENOENT −6, EEXIST −7, ENOTDIR −8, EISDIR −9, ELOOP −10, EIO −11, ENOSPC −15, anything else −1.
 */
export function deviceCodeForErrno(code: string | undefined): number {
  switch (code) {
    case 'ENOENT':
      return -6;
    case 'EEXIST':
      return -7;
    case 'ENOTDIR':
      return -8;
    case 'EISDIR':
      return -9;
    case 'ELOOP':
      return -10;
    case 'EIO':
      return -11;
    case 'ENOSPC':
      return -15;
    default:
      return -1;
  }
}
