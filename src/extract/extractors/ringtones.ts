import type { BackupFileEntry, BackupReader } from '../../backup/index.js';
import { isPlistDict, parsePlist, plistNumber, type PlistDict } from '../../plist/index.js';
import type { RingtoneRecord } from '../records.js';
import { readSmallFile } from './backup-sources.js';

/**
 * Custom tones: synced from iTunes/Finder into `Media/iTunes_Control/Ringtones/<4 letters>.m4r`, named in
 * `Media/iTunes_Control/iTunes/Ringtones.plist` ({Ringtones: {<file>: {Name, Total Time (ms), Media Kind
 * (ringtone|tone), GUID, PID, Protected Content}}}); bought ones in `Media/Purchases`. Backups hold them in
 * TonesDomain (a real iOS 14.3 manifest has TonesDomain Media/iTunes_Control/iTunes and Media/Purchases), older
 * ones in MediaDomain. The tones that ship with iOS are in the system image, never in a backup.
 */
export const TONE_DOMAINS = ['TonesDomain', 'MediaDomain'] as const;
export const RINGTONES_FOLDER = 'Media/iTunes_Control/Ringtones';
export const PURCHASED_TONES_FOLDER = 'Media/Purchases';
export const RINGTONES_PLIST = 'Media/iTunes_Control/iTunes/Ringtones.plist';
const TONE_FILE = /\.(m4r|m4a)$/i;

/** Ringtones.plist's entries by file name; empty when the plist is absent or not the expected shape. */
async function toneNames(reader: BackupReader, domain: string, warn: (m: string) => void): Promise<PlistDict> {
  const entry = reader.get(domain, RINGTONES_PLIST);
  if (entry?.kind !== 'file') return {};
  try {
    const root = parsePlist(await readSmallFile(reader, entry));
    const tones = isPlistDict(root) ? root.Ringtones : undefined;
    return isPlistDict(tones) ? tones : {};
  } catch (error) {
    warn(
      `${domain}/${RINGTONES_PLIST} could not be read (${(error as Error).message}); tones are named after their files`,
    );
    return {};
  }
}

/** Every tone file the backup holds, with its name and details from Ringtones.plist; a file name found twice is listed
 * once (TonesDomain first). */
export async function readRingtones(
  reader: BackupReader,
  warn: (m: string) => void,
): Promise<Array<{ record: RingtoneRecord; entry: BackupFileEntry }>> {
  const found: Array<{ record: RingtoneRecord; entry: BackupFileEntry }> = [];
  const seen = new Set<string>();
  for (const domain of TONE_DOMAINS) {
    const names = await toneNames(reader, domain, warn);
    for (const folder of [RINGTONES_FOLDER, PURCHASED_TONES_FOLDER]) {
      for await (const entry of reader.files({ domain, match: `${folder}/*` })) {
        const fileName = entry.relativePath.slice(folder.length + 1);
        if (entry.kind !== 'file' || !TONE_FILE.test(fileName) || seen.has(fileName.toLowerCase())) continue;
        seen.add(fileName.toLowerCase());
        const info = isPlistDict(names[fileName]) ? (names[fileName] as PlistDict) : {};
        const totalMs = plistNumber(info['Total Time']);
        // A crafted LastModified can lie beyond what a Date holds (toISOString would throw): it is then unknown.
        const seconds = entry.metadata?.lastModified;
        const modified = seconds === undefined ? undefined : new Date(seconds * 1000);
        found.push({
          entry,
          record: {
            origin: 'live',
            name:
              typeof info.Name === 'string' && info.Name.trim() !== '' ? info.Name : fileName.replace(/\.[^.]+$/, ''),
            fileName,
            kind: typeof info['Media Kind'] === 'string' ? info['Media Kind'] : null,
            durationSeconds: totalMs === undefined ? null : totalMs / 1000,
            guid: typeof info.GUID === 'string' ? info.GUID : null,
            protectedContent: typeof info['Protected Content'] === 'boolean' ? info['Protected Content'] : null,
            purchased: folder === PURCHASED_TONES_FOLDER,
            modified: modified === undefined || Number.isNaN(modified.getTime()) ? null : modified.toISOString(),
            backupPath: `${domain}/${entry.relativePath}`,
            file: null,
          },
        });
      }
    }
  }
  return found;
}
