import { join } from 'node:path';
import { toXmlPlist, type PlistDict } from '../plist/index.js';
import { optDate, optString, readPlistDictFile } from './plist-file.js';

/** Info.plist, written by the host at backup time (native-notes/protocols/backup-format.md "Info.plist"). */
export interface InfoPlist {
  deviceName?: string;
  displayName?: string;
  productType?: string;
  productVersion?: string;
  buildVersion?: string;
  serialNumber?: string;
  /** `Target Identifier`, else `Unique Identifier`. */
  udid?: string;
  lastBackupDate?: Date;
  iTunesVersion?: string;
  installedApplications: string[];
  raw: PlistDict;
}

export function parseInfoPlist(raw: PlistDict): InfoPlist {
  const apps = raw['Installed Applications'];
  return {
    deviceName: optString(raw, 'Device Name'),
    displayName: optString(raw, 'Display Name'),
    productType: optString(raw, 'Product Type'),
    productVersion: optString(raw, 'Product Version'),
    buildVersion: optString(raw, 'Build Version'),
    serialNumber: optString(raw, 'Serial Number'),
    udid: optString(raw, 'Target Identifier') ?? optString(raw, 'Unique Identifier'),
    lastBackupDate: optDate(raw, 'Last Backup Date'),
    iTunesVersion: optString(raw, 'iTunes Version'),
    installedApplications: Array.isArray(apps) ? apps.filter((a): a is string => typeof a === 'string') : [],
    raw,
  };
}

export async function readInfoPlist(backupDir: string): Promise<InfoPlist | undefined> {
  const raw = await readPlistDictFile(join(backupDir, 'Info.plist'));
  return raw === undefined ? undefined : parseInfoPlist(raw);
}

/** The host writes Info.plist as XML (idevicebackup2 does the same). */
export function buildInfoPlist(device: {
  udid: string;
  deviceName: string;
  productType: string;
  productVersion: string;
  buildVersion: string;
  serialNumber: string;
  date: Date;
  installedApplications?: string[];
}): string {
  return toXmlPlist({
    'Build Version': device.buildVersion,
    'Device Name': device.deviceName,
    'Display Name': device.deviceName,
    GUID: device.udid
      .replace(/[^0-9A-Fa-f]/g, '')
      .slice(0, 32)
      .toUpperCase()
      .padEnd(32, '0'),
    'Installed Applications': device.installedApplications ?? [],
    'Last Backup Date': device.date,
    'Product Type': device.productType,
    'Product Version': device.productVersion,
    'Serial Number': device.serialNumber,
    'Target Identifier': device.udid,
    'Target Type': 'Device',
    'Unique Identifier': device.udid.toUpperCase(),
    'iTunes Version': '12.13.2.3',
  });
}
