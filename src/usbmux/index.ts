export { UsbmuxClient, type UsbmuxEvent, type UsbmuxClientOptions } from './client.js';
export {
  parseUsbmuxAddress,
  defaultUsbmuxAddress,
  resolveUsbmuxAddress,
  formatUsbmuxAddress,
  type UsbmuxAddress,
} from './address.js';
export { UsbmuxError, type UsbmuxErrorCode } from './errors.js';
export { LOCKDOWN_PORT, udidFromSerial, type AttachedDevice } from './protocol.js';
