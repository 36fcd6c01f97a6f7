/**
 * The version-0 (binary) usbmuxd protocol, which usbmuxd still serves to old clients (libimobiledevice/usbmuxd
 * src/client.c: LISTEN and CONNECT as binary messages; results and notifications in the client's version).
 * Layouts: libimobiledevice/libusbmuxd include/usbmuxd-proto.h
 * (native-notes/protocols/usbmuxd.md "Binary protocol (version 0)").
 */
import { USBMUX_HEADER_SIZE, UsbmuxMessage, UsbmuxVersion, encodeUsbmuxHeader } from '../usbmux/protocol.js';

/** `usbmuxd_device_record`: device_id u32, product_id u16, serial char[256], padding u16, location u32. */
const DEVICE_RECORD_SIZE = 4 + 2 + 256 + 2 + 4;
/** `usbmuxd_connect_request` payload: device_id u32 LE, port u16 big-endian (network order), reserved u16. */
export const BINARY_CONNECT_PAYLOAD = 8;

export function encodeBinaryDeviceAdd(device: {
  deviceId: number;
  productId: number;
  serialNumber: string;
  locationId: number;
}): Buffer {
  const buf = Buffer.alloc(USBMUX_HEADER_SIZE + DEVICE_RECORD_SIZE);
  encodeUsbmuxHeader({
    length: buf.length,
    version: UsbmuxVersion.BINARY,
    message: UsbmuxMessage.DEVICE_ADD,
    tag: 0,
  }).copy(buf);
  let at = USBMUX_HEADER_SIZE;
  buf.writeUInt32LE(device.deviceId, at);
  buf.writeUInt16LE(device.productId, at + 4);
  // NUL-padded and always NUL-terminated, as usbmuxd's strncpy + [255] = 0.
  buf.write(device.serialNumber.slice(0, 255), at + 6, 'latin1');
  at += 4 + 2 + 256 + 2;
  buf.writeUInt32LE(device.locationId, at);
  return buf;
}

/** DEVICE_REMOVE (5) and DEVICE_PAIRED (6) carry just the device id. */
export function encodeBinaryDeviceEvent(message: 5 | 6, deviceId: number): Buffer {
  const buf = Buffer.alloc(USBMUX_HEADER_SIZE + 4);
  encodeUsbmuxHeader({ length: buf.length, version: UsbmuxVersion.BINARY, message, tag: 0 }).copy(buf);
  buf.writeUInt32LE(deviceId, USBMUX_HEADER_SIZE);
  return buf;
}

export function decodeBinaryConnect(payload: Buffer): { deviceId: number; port: number } | undefined {
  if (payload.length < BINARY_CONNECT_PAYLOAD) return undefined;
  return { deviceId: payload.readUInt32LE(0), port: payload.readUInt16BE(4) };
}
