/**
 * The usbmuxd protocol as pure functions over Buffers (no sockets), shared by our client and the virtual
 * iPhone's usbmuxd. Facts: libimobiledevice/libusbmuxd include/usbmuxd-proto.h and src/libusbmuxd.c,
 * libimobiledevice/usbmuxd src/client.c (see native-notes/protocols/usbmuxd.md "Packet header", "Plist messages").
 */
import { isPlistDict, parsePlist, plistNumber, toXmlPlist, type PlistDict, type PlistValue } from '../plist/index.js';
import { UsbmuxError } from './errors.js';

/** Every usbmuxd packet starts with four little-endian uint32: length (header included), version, message, tag. */
export const USBMUX_HEADER_SIZE = 16;
/** Pair records are a few KB and device lists small: a claimed length beyond this is garbage. */
export const MAX_USBMUX_PACKET = 4 * 1024 * 1024;

export const UsbmuxVersion = { BINARY: 0, PLIST: 1 } as const;

export const UsbmuxMessage = {
  RESULT: 1,
  CONNECT: 2,
  LISTEN: 3,
  DEVICE_ADD: 4,
  DEVICE_REMOVE: 5,
  DEVICE_PAIRED: 6,
  PLIST: 8,
} as const;

export const UsbmuxResult = {
  OK: 0,
  BADCOMMAND: 1,
  BADDEV: 2,
  CONNREFUSED: 3,
  NOSUCHSERVICE: 4,
  BADVERSION: 6,
} as const;

/** usbmuxd answers pair-record requests with an errno in `Number`. */
export const ERRNO_ENOENT = 2;
export const ERRNO_EINVAL = 22;

/** lockdownd's TCP port on the device. */
export const LOCKDOWN_PORT = 62078;

export interface UsbmuxHeader {
  length: number;
  version: number;
  message: number;
  tag: number;
}

export function encodeUsbmuxHeader(header: UsbmuxHeader): Buffer {
  const buf = Buffer.allocUnsafe(USBMUX_HEADER_SIZE);
  buf.writeUInt32LE(header.length, 0);
  buf.writeUInt32LE(header.version, 4);
  buf.writeUInt32LE(header.message, 8);
  buf.writeUInt32LE(header.tag, 12);
  return buf;
}

/** Decodes and checks a header; the length bounds are checked before anyone allocates the body. */
export function decodeUsbmuxHeader(buf: Buffer, maxPacket = MAX_USBMUX_PACKET): UsbmuxHeader {
  if (buf.length < USBMUX_HEADER_SIZE) {
    throw new UsbmuxError('USBMUX_BAD_PACKET', `a usbmuxd header is ${USBMUX_HEADER_SIZE} bytes, got ${buf.length}`);
  }
  const header = {
    length: buf.readUInt32LE(0),
    version: buf.readUInt32LE(4),
    message: buf.readUInt32LE(8),
    tag: buf.readUInt32LE(12),
  };
  if (header.length < USBMUX_HEADER_SIZE) {
    throw new UsbmuxError(
      'USBMUX_BAD_PACKET',
      `a usbmuxd packet claims ${header.length} bytes, less than its own header`,
    );
  }
  if (header.length > maxPacket) {
    // Nothing usbmuxd sends comes near the cap: whoever answers is not speaking its protocol, and we read no further.
    throw new UsbmuxError(
      'USBMUX_PACKET_TOO_LARGE',
      `the usbmuxd connection sent a packet header claiming ${header.length} bytes (the limit is ${maxPacket}): that is not usbmuxd speaking its protocol; the connection was dropped`,
      {
        details: { length: header.length, maxPacket },
      },
    );
  }
  return header;
}

/** A plist-protocol packet (version 1, message 8): header and XML body in one buffer, for one write. */
export function encodePlistPacket(payload: PlistDict, tag: number): Buffer {
  // libusbmuxd parses replies with an XML-only parser, so usbmuxd (and our emulator) must answer in XML.
  const body = Buffer.from(toXmlPlist(payload), 'utf8');
  const header = encodeUsbmuxHeader({
    length: USBMUX_HEADER_SIZE + body.length,
    version: UsbmuxVersion.PLIST,
    message: UsbmuxMessage.PLIST,
    tag,
  });
  return Buffer.concat([header, body]);
}

/** The body of a plist-protocol packet as a dict (it must be one). */
export function decodePlistPayload(body: Buffer): PlistDict {
  const value = parsePlist(body);
  if (!isPlistDict(value)) throw new UsbmuxError('USBMUX_BAD_PACKET', 'a usbmuxd plist message is not a dict');
  return value;
}

/** A binary-protocol RESULT packet (what usbmuxd sends to a version-0 client). */
export function encodeBinaryResult(result: number, tag: number): Buffer {
  const buf = Buffer.allocUnsafe(USBMUX_HEADER_SIZE + 4);
  encodeUsbmuxHeader({ length: buf.length, version: UsbmuxVersion.BINARY, message: UsbmuxMessage.RESULT, tag }).copy(
    buf,
  );
  buf.writeUInt32LE(result, USBMUX_HEADER_SIZE);
  return buf;
}

/** The fields every client adds to a plist request, as libusbmuxd does. */
export interface ClientIdentity {
  progName: string;
  clientVersion: string;
}

export function buildRequest(messageType: string, identity: ClientIdentity, extra: PlistDict = {}): PlistDict {
  return {
    MessageType: messageType,
    ClientVersionString: identity.clientVersion,
    ProgName: identity.progName,
    kLibUSBMuxVersion: 3,
    ...extra,
  };
}

/** The `Connect` request carries the port with its two bytes swapped (htons stored as an integer). */
export function swapPortBytes(port: number): number {
  return ((port & 0xff) << 8) | ((port >> 8) & 0xff);
}

export interface AttachedDevice {
  deviceId: number;
  /** The device's UDID, in the dashed form libusbmuxd gives 24-character serials. */
  udid: string;
  connectionType: 'USB' | 'Network';
  productId?: number;
  locationId?: number;
  connectionSpeed?: number;
  properties: PlistDict;
}

/**
 * Reads an `Attached` record as libusbmuxd does: DeviceID must be a positive integer, SerialNumber a string and
 * ConnectionType "USB" or "Network"; anything else is refused rather than guessed at.
 */
export function parseAttachedDevice(message: PlistDict): AttachedDevice {
  const props = message.Properties;
  if (!isPlistDict(props)) throw new UsbmuxError('USBMUX_BAD_DEVICE', 'a device record has no Properties dict');
  const deviceId = plistNumber(message.DeviceID ?? props.DeviceID);
  const serial = props.SerialNumber;
  const connectionType = props.ConnectionType;
  if (deviceId === undefined || !Number.isInteger(deviceId) || deviceId <= 0) {
    throw new UsbmuxError('USBMUX_BAD_DEVICE', 'a device record has no positive DeviceID');
  }
  if (typeof serial !== 'string' || serial.length === 0) {
    throw new UsbmuxError('USBMUX_BAD_DEVICE', `device ${deviceId} has no SerialNumber`);
  }
  if (connectionType !== 'USB' && connectionType !== 'Network') {
    throw new UsbmuxError('USBMUX_BAD_DEVICE', `device ${deviceId} has an unknown ConnectionType`);
  }
  return {
    deviceId,
    udid: udidFromSerial(serial),
    connectionType,
    productId: plistNumber(props.ProductID),
    locationId: plistNumber(props.LocationID),
    connectionSpeed: plistNumber(props.ConnectionSpeed),
    properties: props,
  };
}

/** Properties of an `Attached` message for a USB device, as usbmuxd 1.1.1 builds them. */
export function buildAttachedProperties(device: {
  deviceId: number;
  serialNumber: string;
  productId: number;
  locationId: number;
}): PlistDict {
  return {
    ConnectionSpeed: 480_000_000,
    ConnectionType: 'USB',
    DeviceID: device.deviceId,
    LocationID: device.locationId,
    ProductID: device.productId,
    SerialNumber: device.serialNumber,
  };
}

/** Newer devices report a 24-character serial; the UDID everyone uses has a dash after the 8th character. */
export function udidFromSerial(serial: string): string {
  if (serial.length === 24 && !serial.includes('-')) return `${serial.slice(0, 8)}-${serial.slice(8)}`;
  return serial;
}

/** A `Result` message's number, or undefined when the message is not a Result. */
export function resultNumber(message: PlistValue): number | undefined {
  if (!isPlistDict(message) || message.MessageType !== 'Result') return undefined;
  return plistNumber(message.Number);
}
