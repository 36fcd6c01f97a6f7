import { createHash } from 'node:crypto';
import type { PlistDict } from '../plist/index.js';

/**
 * A plausible iPhone SE (2nd generation) running iOS 16.7.2, derived from a seed and an index so that tests can
 * predict UDIDs: the same seed and index always give the same phone. Values follow what real devices report
 * (doronz88/pymobiledevice3 lockdown.py, ideviceinfo output): the UDID of an A13 phone is `<ChipID>-<ECID>`,
 * `00008030-` + 16 hex digits of the ECID, which is also `UniqueChipID`.
 */
export interface IdentityOverrides {
  deviceName?: string;
  productType?: string;
  productVersion?: string;
  buildVersion?: string;
}

const A13_CHIP_ID = 0x8030;
const SERIAL_ALPHABET = 'CDFGHJKLMNPQRTVWXY0123456789';

export function createIdentity(seed: string, index: number, overrides: IdentityOverrides = {}): PlistDict {
  const hash = createHash('sha256').update(`iosrescue-virtual-iphone:${seed}:${index}`).digest();
  // ECIDs are 52-53 bits: keep it in [2^52, 2^53) so it is a safe JS integer and always 16 hex digits.
  const ecid = 2 ** 52 + Number(hash.readBigUInt64BE(0) % BigInt(2 ** 52));
  const ecidHex = ecid.toString(16).toUpperCase().padStart(16, '0');
  const udid = `${A13_CHIP_ID.toString(16).padStart(8, '0')}-${ecidHex}`;
  const digitSource = createHash('sha256').update(hash).digest();
  const digits = (from: number, count: number): string =>
    Array.from(digitSource.subarray(from, from + count), (byte) => String(byte % 10)).join('');
  const serial = `F${Array.from(hash.subarray(8, 19), (byte) => SERIAL_ALPHABET[byte % SERIAL_ALPHABET.length]).join('')}`;
  // Locally administered MAC addresses (bit 1 of the first octet), like iOS's private Wi-Fi addresses.
  const mac = [(hash[19]! & 0xfc) | 0x02, ...hash.subarray(20, 25)];
  const wifiAddress = formatMac(mac);
  const bluetoothAddress = formatMac([...mac.slice(0, 5), (mac[5]! + 1) & 0xff]);
  const imeiBody = `35${digits(0, 12)}`;
  const iccidBody = `8901260${digits(12, 12)}`;
  return {
    ActivationState: 'Activated',
    ActivationStateAcknowledged: true,
    BasebandVersion: '5.01.01',
    BluetoothAddress: bluetoothAddress,
    BuildVersion: overrides.buildVersion ?? '20H115',
    CPUArchitecture: 'arm64e',
    ChipID: A13_CHIP_ID,
    DeviceClass: 'iPhone',
    DeviceColor: '1',
    DeviceName: overrides.deviceName ?? `Virtual iPhone ${index + 1}`,
    HardwareModel: 'D79AP',
    HardwarePlatform: 't8030',
    HasSiDP: true,
    IntegratedCircuitCardIdentity: iccidBody + luhnDigit(iccidBody),
    InternationalMobileEquipmentIdentity: imeiBody + luhnDigit(imeiBody),
    MobileEquipmentIdentifier: imeiBody,
    ModelNumber: 'MX9R2',
    PartitionType: 'GUID_partition_scheme',
    // 555-01xx numbers are reserved for fiction.
    PhoneNumber: `+1 (555) 010-${String(index % 10_000).padStart(4, '0')}`,
    ProductName: 'iPhone OS',
    ProductType: overrides.productType ?? 'iPhone12,8',
    ProductVersion: overrides.productVersion ?? '16.7.2',
    ProductionSOC: true,
    ProtocolVersion: '2',
    RegionInfo: 'LL/A',
    SerialNumber: serial,
    SIMStatus: 'kCTSIMSupportSIMStatusReady',
    SupportedDeviceFamilies: [1],
    TelephonyCapability: true,
    TimeZone: 'America/New_York',
    UniqueChipID: ecid,
    UniqueDeviceID: udid,
    WiFiAddress: wifiAddress,
  };
}

/** The UDID the identity for this seed and index has, without building the rest. */
export function udidFor(seed: string, index: number): string {
  return createIdentity(seed, index).UniqueDeviceID as string;
}

/** Domains a fresh phone answers GetValue for (ideviceinfo -q DOMAIN; idevicebackup2 reads several). */
export function createDefaultDomains(): Record<string, PlistDict> {
  return {
    'com.apple.mobile.backup': { CloudBackupEnabled: false, WillEncrypt: false },
    'com.apple.mobile.battery': {
      BatteryCurrentCapacity: 87,
      BatteryIsCharging: true,
      ExternalChargeCapable: true,
      ExternalConnected: true,
      FullyCharged: false,
      GasGaugeCapability: true,
      HasBattery: true,
    },
    'com.apple.disk_usage': {
      AmountDataAvailable: 31_457_280_000,
      AmountDataReserved: 209_715_200,
      TotalDataAvailable: 31_667_000_000,
      TotalDataCapacity: 55_000_000_000,
      TotalDiskCapacity: 64_000_000_000,
      TotalSystemAvailable: 1_900_000_000,
      TotalSystemCapacity: 8_000_000_000,
    },
    'com.apple.mobile.iTunes': { MinITunesVersion: '12.5.5', MinMacOSVersion: '10.12.6' },
    'com.apple.iTunes': {},
    'com.apple.international': { Keyboard: 'en_US', Language: 'en', Locale: 'en_US' },
    'com.apple.mobile.lockdownd': {},
    'com.apple.mobile.wireless_lockdown': { EnableWifiConnections: false },
  };
}

function formatMac(bytes: number[]): string {
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** The Luhn check digit that IMEIs and ICCIDs end with. */
export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}
