import type { BackupReader } from '../../backup/index.js';
import { isPlistDict, parsePlist, plistNumber, type PlistValue } from '../../plist/index.js';
import { fromAppleSeconds } from '../apple-time.js';
import { dateFlag } from '../date-check.js';
import { ExtractError } from '../errors.js';
import type { VisitRecord } from '../records.js';
import { textValue } from '../schema.js';
import { readSmallFile } from './backup-sources.js';

/**
 * Safari's history before History.db, the WebKit history file Safari on the Mac also wrote until 10.9: HomeDomain
 * `Library/Safari/History.plist` up to iOS 7, Safari's own container (AppDomain-com.apple.mobilesafari) from iOS 8,
 * where a real iOS 8 backup still has it (public dump OTAPKI/iphone; fileformats.archiveteam.org "History.plist"
 * gives the same two places). A dictionary with `WebHistoryFileVersion` 1 and `WebHistoryDates`, an
 * array of one entry per URL, newest first — the URL under the empty key "", `title`, `lastVisitedDate` (seconds since
 * 2001 written as a *string*, e.g. "412345678.9"), `visitCount`, and per-day counts `D`, redirect targets
 * `redirectURLs`. Only each URL's last visit has a time: earlier visits are counted, not dated.
 */
export const SAFARI_HISTORY_PLISTS = [
  { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.plist' },
  { domain: 'HomeDomain', relativePath: 'Library/Safari/History.plist' },
] as const;

/** Far above any real History.plist (Safari kept a bounded history); a larger file is refused, not read into memory. */
const MAX_PLIST_BYTES = 64 * 1024 * 1024;

/** `lastVisitedDate` as stored: a decimal string (or, written by other tools, a number). */
function visitTime(value: PlistValue | undefined): string | null {
  const seconds = typeof value === 'string' ? Number(value.trim()) : plistNumber(value);
  if (seconds === undefined || !Number.isFinite(seconds)) return null;
  return fromAppleSeconds(seconds)?.toISOString() ?? null;
}

/** The visits of a History.plist, oldest first; ids are the entries' positions in WebHistoryDates (1 = newest). */
export function parseHistoryPlist(data: Buffer, name = 'History.plist'): VisitRecord[] {
  const root = parsePlist(data);
  const entries = isPlistDict(root) ? root.WebHistoryDates : undefined;
  if (!Array.isArray(entries))
    throw new ExtractError(
      'EXTRACT_SCHEMA_UNSUPPORTED',
      `${name} is not a WebKit history file (no WebHistoryDates array; keys seen: ${isPlistDict(root) ? Object.keys(root).join(', ') || 'none' : typeof root})`,
    );
  const visits: VisitRecord[] = [];
  entries.forEach((entry, index) => {
    if (!isPlistDict(entry)) return;
    const url = textValue(entry['']);
    if (url === null) return;
    const time = visitTime(entry.lastVisitedDate);
    const count = plistNumber(entry.visitCount);
    visits.push({
      origin: 'live',
      id: index + 1,
      url,
      title: textValue(entry.title) ?? textValue(entry.displayTitle),
      time,
      ...(count === undefined ? {} : { visitCount: count }),
      ...dateFlag(time),
    });
  });
  return visits.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '') || b.id - a.id);
}

/** The backup's History.plist (the first place that has one), parsed; undefined when the backup has none. */
export async function readHistoryPlist(
  reader: BackupReader,
): Promise<{ visits: VisitRecord[]; bytes: number } | undefined> {
  for (const location of SAFARI_HISTORY_PLISTS) {
    const entry = reader.get(location.domain, location.relativePath);
    if (entry?.kind !== 'file') continue;
    const data = await readSmallFile(reader, entry, MAX_PLIST_BYTES);
    return { visits: parseHistoryPlist(data, `${location.domain}/${location.relativePath}`), bytes: data.length };
  }
  return undefined;
}
