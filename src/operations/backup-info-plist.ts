import { randomBytes } from 'node:crypto';
import type { Logger } from '../logging.js';
import type { LockdownSession } from '../lockdown/index.js';
import { isPlistDict, toXmlPlist, type PlistDict, type PlistValue } from '../plist/index.js';
import { InstallationProxyClient } from '../services/installation-proxy/index.js';

/** lockdown value → Info.plist key, for the optional identity fields (absent on Wi-Fi-only iPads). */
const OPTIONAL_KEYS: Array<[string, string]> = [
  ['IntegratedCircuitCardIdentity', 'ICCID'],
  ['InternationalMobileEquipmentIdentity', 'IMEI'],
  ['MobileEquipmentIdentifier', 'MEID'],
  ['PhoneNumber', 'Phone Number'],
];

const text = (value: PlistValue | undefined, fallback = ''): string => (typeof value === 'string' ? value : fallback);

/**
 * Info.plist as idevicebackup2 builds it before the Backup request (native-notes/protocols/mobilebackup2.md
 * "Before the backup service" step 9; native-notes/protocols/backup-format.md "Info.plist"): the phone's lockdown
 * values, its com.apple.iTunes settings, and the user apps from installation_proxy (optional: a phone that refuses
 * the browse still gets backed up, with an empty list).
 */
export async function buildBackupInfoPlist(session: LockdownSession, udid: string, logger: Logger): Promise<Buffer> {
  const values = await session.lockdown.getValue({});
  const root = isPlistDict(values) ? values : {};
  const itunesSettings = await session.lockdown.tryGetValue({ domain: 'com.apple.iTunes' });
  const minItunes = await session.lockdown.tryGetValue({ domain: 'com.apple.mobile.iTunes', key: 'MinITunesVersion' });

  const applications: PlistDict = {};
  const installed: string[] = [];
  try {
    const proxy = await InstallationProxyClient.open(session);
    try {
      for await (const app of proxy.browse({
        applicationType: 'User',
        returnAttributes: ['CFBundleIdentifier', 'ApplicationSINF', 'iTunesMetadata'],
      })) {
        const id = app.CFBundleIdentifier;
        if (typeof id !== 'string') continue;
        installed.push(id);
        // Only apps with both SINF and metadata are listed with their data, as idevicebackup2 does.
        if (Buffer.isBuffer(app.ApplicationSINF) && Buffer.isBuffer(app.iTunesMetadata)) {
          applications[id] = { ApplicationSINF: app.ApplicationSINF, iTunesMetadata: app.iTunesMetadata };
        }
      }
    } finally {
      proxy.close();
    }
  } catch (error) {
    logger.warn(
      { reason: (error as Error).message },
      'could not list the installed apps; Info.plist will not list them',
    );
  }

  const deviceName = text(root.DeviceName);
  const info: PlistDict = {
    Applications: applications,
    'Build Version': text(root.BuildVersion),
    'Device Name': deviceName,
    'Display Name': deviceName,
    GUID: randomBytes(16).toString('hex').toUpperCase(),
  };
  for (const [key, name] of OPTIONAL_KEYS) if (typeof root[key] === 'string') info[name] = root[key];
  Object.assign(info, {
    'Installed Applications': installed,
    'Last Backup Date': new Date(),
    'Product Type': text(root.ProductType),
    'Product Version': text(root.ProductVersion, session.productVersion),
    'Serial Number': text(root.SerialNumber),
    'Target Identifier': udid,
    'Target Type': 'Device',
    'Unique Identifier': udid.toUpperCase(),
    'iTunes Files': {},
    'iTunes Settings': isPlistDict(itunesSettings) ? itunesSettings : {},
    'iTunes Version': text(minItunes, '10.0.1'),
  });
  return Buffer.from(toXmlPlist(info), 'utf8');
}
