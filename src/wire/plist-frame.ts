import { parsePlist, toBinaryPlist, toXmlPlist, type PlistValue } from '../plist/index.js';
import { WireError } from './errors.js';
import type { SocketReader, ReadOptions } from './socket-reader.js';

export type PlistFormat = 'xml' | 'binary';

/** lockdownd and the plist services send small messages; a claimed length beyond this is hostile or garbage. */
export const DEFAULT_MAX_PLIST_FRAME = 16 * 1024 * 1024;

/**
 * One frame of the plist services (lockdownd, notification_proxy, installation_proxy, DeviceLink):
 * a 4-byte big-endian length, then the plist. Built as ONE buffer so it goes out in one write:
 * libimobiledevice fetches the 4 length bytes with a single recv and misreads a split prefix.
 */
export function encodePlistFrame(value: PlistValue, format: PlistFormat): Buffer {
  const body = format === 'xml' ? Buffer.from(toXmlPlist(value), 'utf8') : toBinaryPlist(value);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

export interface FrameReadOptions extends ReadOptions {
  maxBytes?: number;
}

/** Reads one length-prefixed plist, refusing lengths above the cap before allocating anything. */
export async function readPlistFrame(reader: SocketReader, options: FrameReadOptions = {}): Promise<PlistValue> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PLIST_FRAME;
  const prefix = await reader.readExactly(4, options);
  const length = prefix.readUInt32BE(0);
  if (length > maxBytes) {
    throw new WireError(
      'WIRE_FRAME_TOO_LARGE',
      `the peer announced a ${length}-byte message; the limit is ${maxBytes}`,
      {
        details: { length, maxBytes },
      },
    );
  }
  if (length === 0) throw new WireError('WIRE_BAD_FRAME', 'the peer sent an empty plist frame');
  const body = await reader.readExactly(length, options);
  return parsePlist(body);
}
