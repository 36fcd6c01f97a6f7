/**
 * AFC (Apple File Conduit) packets as pure functions. A 40-byte header of little-endian u64s after the magic
 * "CFA6LPAA": entire length, header length (this_length), packet number, operation; fixed arguments follow in the
 * header data, bulk bytes in the payload (libimobiledevice src/afc.h; native-notes/protocols/afc.md "Packet header").
 */
import { AfcError } from './errors.js';

export const AFC_SERVICE = 'com.apple.afc';
export const AFC_MAGIC = Buffer.from('CFA6LPAA', 'latin1');
export const AFC_HEADER_SIZE = 40;

export const AfcOperation = {
  STATUS: 0x01,
  DATA: 0x02,
  READ_DIR: 0x03,
  REMOVE_PATH: 0x08,
  MAKE_DIR: 0x09,
  GET_FILE_INFO: 0x0a,
  GET_DEVICE_INFO: 0x0b,
  FILE_OPEN: 0x0d,
  FILE_OPEN_RES: 0x0e,
  FILE_READ: 0x0f,
  FILE_WRITE: 0x10,
  FILE_SEEK: 0x11,
  FILE_TELL: 0x12,
  FILE_TELL_RES: 0x13,
  FILE_CLOSE: 0x14,
  FILE_SET_SIZE: 0x15,
  RENAME_PATH: 0x18,
  FILE_LOCK: 0x1b,
  MAKE_LINK: 0x1c,
  SET_FILE_MOD_TIME: 0x1e,
  REMOVE_PATH_AND_CONTENTS: 0x22,
} as const;

export const AfcFileMode = { RDONLY: 1, RW: 2, WRONLY: 3, WR: 4, APPEND: 5, RDAPPEND: 6 } as const;
/** Lock operations; bit 4 is "non-blocking". */
export const AfcLock = { SHARED: 1 | 4, EXCLUSIVE: 2 | 4, UNLOCK: 8 | 4 } as const;

export const AfcStatus = {
  SUCCESS: 0,
  UNKNOWN: 1,
  OP_HEADER_INVALID: 2,
  NO_RESOURCES: 3,
  READ_ERROR: 4,
  WRITE_ERROR: 5,
  UNKNOWN_PACKET_TYPE: 6,
  INVALID_ARG: 7,
  OBJECT_NOT_FOUND: 8,
  OBJECT_IS_DIR: 9,
  PERM_DENIED: 10,
  SERVICE_NOT_CONNECTED: 11,
  OP_TIMEOUT: 12,
  TOO_MUCH_DATA: 13,
  END_OF_DATA: 14,
  OP_NOT_SUPPORTED: 15,
  OBJECT_EXISTS: 16,
  OBJECT_BUSY: 17,
  NO_SPACE_LEFT: 18,
  OP_WOULD_BLOCK: 19,
  IO_ERROR: 20,
  OP_INTERRUPTED: 21,
  OP_IN_PROGRESS: 22,
  INTERNAL_ERROR: 23,
} as const;

const STATUS_NAMES = Object.fromEntries(Object.entries(AfcStatus).map(([name, code]) => [code, name])) as Record<
  number,
  keyof typeof AfcStatus
>;

export function afcStatusName(code: number): keyof typeof AfcStatus | `STATUS_${number}` {
  return STATUS_NAMES[code] ?? `STATUS_${code}`;
}

export interface AfcPacket {
  packetNumber: bigint;
  operation: number;
  headerData: Buffer;
  payload: Buffer;
}

/** The 40-byte header alone, for a sender that writes the header data and payload after it without copying them. */
export function encodeAfcHeader(
  packetNumber: bigint,
  operation: number,
  headerDataLength: number,
  payloadLength: number,
): Buffer {
  const header = Buffer.allocUnsafe(AFC_HEADER_SIZE);
  AFC_MAGIC.copy(header, 0);
  header.writeBigUInt64LE(BigInt(AFC_HEADER_SIZE + headerDataLength + payloadLength), 8);
  header.writeBigUInt64LE(BigInt(AFC_HEADER_SIZE + headerDataLength), 16);
  header.writeBigUInt64LE(packetNumber, 24);
  header.writeBigUInt64LE(BigInt(operation), 32);
  return header;
}

export function encodeAfcPacket(packet: AfcPacket): Buffer {
  const header = Buffer.allocUnsafe(AFC_HEADER_SIZE);
  AFC_MAGIC.copy(header, 0);
  const thisLength = AFC_HEADER_SIZE + packet.headerData.length;
  header.writeBigUInt64LE(BigInt(thisLength + packet.payload.length), 8);
  header.writeBigUInt64LE(BigInt(thisLength), 16);
  header.writeBigUInt64LE(packet.packetNumber, 24);
  header.writeBigUInt64LE(BigInt(packet.operation), 32);
  return Buffer.concat([header, packet.headerData, packet.payload]);
}

export interface AfcHeader {
  entireLength: number;
  thisLength: number;
  packetNumber: bigint;
  operation: number;
}

/** Checks the magic and that the lengths are sane and below the cap before anyone reads the body. */
export function decodeAfcHeader(buf: Buffer, maxPacket: number): AfcHeader {
  if (buf.length < AFC_HEADER_SIZE || !buf.subarray(0, 8).equals(AFC_MAGIC))
    throw new AfcError('AFC_BAD_PACKET', 'not an AFC packet (bad magic)');
  const entire = buf.readBigUInt64LE(8);
  const thisLength = buf.readBigUInt64LE(16);
  if (thisLength < BigInt(AFC_HEADER_SIZE) || entire < thisLength)
    throw new AfcError('AFC_BAD_PACKET', 'an AFC packet with inconsistent lengths');
  if (entire > BigInt(maxPacket))
    throw new AfcError('AFC_PACKET_TOO_LARGE', `an AFC packet of ${entire} bytes; the limit is ${maxPacket}`);
  return {
    entireLength: Number(entire),
    thisLength: Number(thisLength),
    packetNumber: buf.readBigUInt64LE(24),
    operation: Number(buf.readBigUInt64LE(32)),
  };
}

export function u64(...values: Array<number | bigint>): Buffer {
  const out = Buffer.allocUnsafe(8 * values.length);
  values.forEach((value, i) => out.writeBigUInt64LE(BigInt(value), i * 8));
  return out;
}

export function cString(...texts: string[]): Buffer {
  return Buffer.concat(texts.map((text) => Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])])));
}

/** DATA replies of ReadDir are NUL-separated names; GetFileInfo and GetDeviceInfo are key NUL value NUL pairs. */
export function splitNul(data: Buffer): string[] {
  const parts = data.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

export function pairsToRecord(data: Buffer): Record<string, string> {
  const parts = splitNul(data);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]!] = parts[i + 1]!;
  return out;
}
