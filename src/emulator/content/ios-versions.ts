/**
 * The iOS versions the generator can imitate. A version picks the schemas each builder writes (sms.db "madrid"
 * tables before iOS 6, Unix seconds in call_history.db before iOS 8, …) and what Info.plist / Manifest.plist and the
 * virtual iPhone report. The build numbers are the last release of each major version (Apple's security release
 * notes, https://support.apple.com/en-us/100100, and the ipsw.me firmware lists), on a phone model that ran it.
 */
export interface IosVersionProfile {
  /** Major version, e.g. 5 or 18. */
  major: number;
  /** ProductVersion as the phone reports it, e.g. "5.1.1". */
  productVersion: string;
  /** BuildVersion, e.g. "9B206". */
  buildVersion: string;
  /** A model that shipped with or was updated to this version, e.g. "iPhone4,1" (iPhone 4S). */
  productType: string;
}

const PROFILES: readonly IosVersionProfile[] = [
  { major: 4, productVersion: '4.3.5', buildVersion: '8L1', productType: 'iPhone3,1' },
  { major: 5, productVersion: '5.1.1', buildVersion: '9B206', productType: 'iPhone4,1' },
  { major: 6, productVersion: '6.1.4', buildVersion: '10B350', productType: 'iPhone5,1' },
  { major: 7, productVersion: '7.1.2', buildVersion: '11D257', productType: 'iPhone6,1' },
  { major: 8, productVersion: '8.4.1', buildVersion: '12H321', productType: 'iPhone7,2' },
  { major: 9, productVersion: '9.3.5', buildVersion: '13G36', productType: 'iPhone8,1' },
  { major: 10, productVersion: '10.3.3', buildVersion: '14G60', productType: 'iPhone9,3' },
  { major: 11, productVersion: '11.4.1', buildVersion: '15G77', productType: 'iPhone10,4' },
  { major: 12, productVersion: '12.5.7', buildVersion: '16H81', productType: 'iPhone10,4' },
  { major: 13, productVersion: '13.7', buildVersion: '17H35', productType: 'iPhone12,1' },
  { major: 14, productVersion: '14.8.1', buildVersion: '18H107', productType: 'iPhone12,8' },
  { major: 15, productVersion: '15.8', buildVersion: '19H370', productType: 'iPhone12,8' },
  { major: 16, productVersion: '16.7.2', buildVersion: '20H115', productType: 'iPhone12,8' },
  { major: 17, productVersion: '17.5.1', buildVersion: '21F90', productType: 'iPhone14,7' },
  { major: 18, productVersion: '18.1', buildVersion: '22B83', productType: 'iPhone14,7' },
];

/** The newest version the generator writes, and its default: content without `iosVersion` is this version's. */
export const NEWEST_IOS = 18;
/** The oldest: iOS 4 is the first with mobilebackup2 (iTunes 9.2). */
export const OLDEST_IOS = 4;

/** Every major version the generator knows, oldest first. */
export const IOS_MAJORS: readonly number[] = PROFILES.map((p) => p.major);

/** The profile of a major version; a version the generator does not know is a RangeError naming the known ones. */
export function iosVersionProfile(major: number = NEWEST_IOS): IosVersionProfile {
  const profile = PROFILES.find((p) => p.major === major);
  if (!profile) throw new RangeError(`iOS ${major} is not one the generator knows (${OLDEST_IOS}–${NEWEST_IOS})`);
  return profile;
}

/** "5", "ios5", "iOS 16", "16.7.2" → the major version; anything else is a RangeError. */
export function parseIosVersion(text: string): number {
  const match = /^(?:ios\s*)?(\d{1,2})(?:\.\d+){0,2}$/i.exec(text.trim());
  const major = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(major))
    throw new RangeError(`"${text}" is not an iOS version: give a major version ${OLDEST_IOS}–${NEWEST_IOS}, e.g. 5`);
  iosVersionProfile(major);
  return major;
}
