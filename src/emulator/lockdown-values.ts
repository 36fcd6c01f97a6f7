import type { PlistValue } from '../plist/index.js';

/**
 * Which lockdown values a host may read before a session and change within one: the policy of lockdownd,
 * apart from the values themselves.
 */

/** What a phone tells any host before pairing (ideviceinfo -s; pairing needs DevicePublicKey and WiFiAddress). */
const PUBLIC_BEFORE_SESSION = new Set([
  'BuildVersion',
  'CPUArchitecture',
  'DeviceClass',
  'DeviceColor',
  'DeviceName',
  'DevicePublicKey',
  'HardwareModel',
  'HasSiDP',
  'PartitionType',
  'ProductName',
  'ProductType',
  'ProductVersion',
  'ProductionSOC',
  'ProtocolVersion',
  'SupportedDeviceFamilies',
  'TelephonyCapability',
  'UniqueChipID',
  'UniqueDeviceID',
  'WiFiAddress',
]);

export function isPublicBeforeSession(key: string): boolean {
  return PUBLIC_BEFORE_SESSION.has(key);
}

/** Root values a host may set (Finder renames the phone); the rest of the root is the phone's own identity. */
const SETTABLE_ROOT = new Set(['DeviceName', 'TimeZone']);
/** Domains that report measurements, not settings. */
const READ_ONLY_DOMAINS = new Set(['com.apple.mobile.battery', 'com.apple.disk_usage', 'com.apple.disk_usage.factory']);

/**
 * The lockdownd Error for a SetValue, or undefined when allowed. Backup encryption (com.apple.mobile.backup
 * WillEncrypt) changes only through mobilebackup2's ChangePassword, which needs the backup password; SetValue
 * on it is refused, as on real phones.
 */
export function checkSettable(domain: string | undefined, key: string, value: PlistValue): string | undefined {
  if (domain === undefined) {
    if (!SETTABLE_ROOT.has(key)) return 'SetProhibited';
    return typeof value === 'string' && value.length > 0 && value.length <= 255 ? undefined : 'InvalidValue';
  }
  if (READ_ONLY_DOMAINS.has(domain)) return 'SetProhibited';
  if (domain === 'com.apple.mobile.backup' && key === 'WillEncrypt') return 'SetProhibited';
  return undefined;
}

export function checkRemovable(domain: string | undefined, key: string): string | undefined {
  if (domain === undefined) return 'RemoveProhibited';
  if (READ_ONLY_DOMAINS.has(domain)) return 'RemoveProhibited';
  if (domain === 'com.apple.mobile.backup' && key === 'WillEncrypt') return 'RemoveProhibited';
  return undefined;
}
