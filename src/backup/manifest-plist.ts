import { join } from 'node:path';
import { isPlistDict, toBinaryPlist, type PlistDict } from '../plist/index.js';
import { optBool, optData, optDate, optString, readPlistDictFile } from './plist-file.js';

/** Manifest.plist, written by the device (native-notes/protocols/backup-format.md "Manifest.plist"). */
export interface ManifestPlist {
  /** Only this flag says whether the backup is encrypted: BackupKeyBag is present in plain backups too. */
  isEncrypted: boolean;
  backupKeyBag?: Buffer;
  /** 4-byte little-endian protection class + 40-byte wrapped key of Manifest.db (encrypted backups). */
  manifestKey?: Buffer;
  version?: string;
  date?: Date;
  wasPasscodeSet?: boolean;
  productVersion?: string;
  productType?: string;
  deviceName?: string;
  udid?: string;
  raw: PlistDict;
}

export function parseManifestPlist(raw: PlistDict): ManifestPlist {
  const lockdown = isPlistDict(raw.Lockdown) ? raw.Lockdown : {};
  return {
    isEncrypted: optBool(raw, 'IsEncrypted') ?? false,
    backupKeyBag: optData(raw, 'BackupKeyBag'),
    manifestKey: optData(raw, 'ManifestKey'),
    version: optString(raw, 'Version'),
    date: optDate(raw, 'Date'),
    wasPasscodeSet: optBool(raw, 'WasPasscodeSet'),
    productVersion: optString(lockdown, 'ProductVersion'),
    productType: optString(lockdown, 'ProductType'),
    deviceName: optString(lockdown, 'DeviceName'),
    udid: optString(lockdown, 'UniqueDeviceID'),
    raw,
  };
}

export async function readManifestPlist(backupDir: string): Promise<ManifestPlist | undefined> {
  const raw = await readPlistDictFile(join(backupDir, 'Manifest.plist'));
  return raw === undefined ? undefined : parseManifestPlist(raw);
}

export function buildManifestPlist(manifest: {
  date: Date;
  device: {
    udid: string;
    deviceName: string;
    productType: string;
    productVersion: string;
    buildVersion: string;
    serialNumber: string;
  };
  keybag?: Buffer;
  isEncrypted: boolean;
  /** Absent in encrypted iOS < 10.2 backups, whose Manifest.mbdb is not encrypted. */
  manifestKey?: Buffer;
  wasPasscodeSet?: boolean;
}): Buffer {
  const raw: PlistDict = {};
  if (manifest.keybag !== undefined) raw.BackupKeyBag = manifest.keybag;
  raw.Version = '10.0';
  raw.Date = manifest.date;
  raw.SystemDomainsVersion = '24.0';
  if (manifest.manifestKey !== undefined) raw.ManifestKey = manifest.manifestKey;
  raw.WasPasscodeSet = manifest.wasPasscodeSet ?? true;
  raw.Lockdown = {
    ProductVersion: manifest.device.productVersion,
    ProductType: manifest.device.productType,
    BuildVersion: manifest.device.buildVersion,
    UniqueDeviceID: manifest.device.udid,
    SerialNumber: manifest.device.serialNumber,
    DeviceName: manifest.device.deviceName,
  };
  raw.IsEncrypted = manifest.isEncrypted;
  raw.Applications = {};
  return toBinaryPlist(raw);
}
