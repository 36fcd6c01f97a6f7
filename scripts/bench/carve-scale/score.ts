import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { TEXT_MARKER, type DeadMessage, type GeneratedDb } from './generate.js';
import { LOCATIONS, widthBand, type Location, type PresentRow } from './truth.js';

export const BANDS = ['1', '2', '3', '4+'];

export interface Tally {
  present: number;
  found: number;
}

export interface Score {
  byWidth: Map<string, Tally>;
  byLocation: Map<Location, Tally>;
  present: number;
  found: number;
  /** Records reported for `message`, and those that are right (all known values equal one dead version). */
  reported: number;
  correct: number;
  /** Records of another table (or none) that hold a message's text: columns shifted into the wrong shape. */
  misattributed: number;
  liveReported: number;
}

function tallies<K extends string>(keys: readonly K[]): Map<K, Tally> {
  return new Map(keys.map((k) => [k, { present: 0, found: 0 }]));
}

/** Recall by width and location over `present`, given the set of dead texts a tool recovered whole. */
export function recallOf(
  present: PresentRow[],
  recovered: Set<string>,
): Omit<Score, 'reported' | 'correct' | 'misattributed' | 'liveReported'> {
  const byWidth = tallies(BANDS);
  const byLocation = tallies(LOCATIONS);
  let found = 0;
  for (const row of present) {
    const hit = recovered.has(row.text);
    if (hit) found += 1;
    for (const tally of [byWidth.get(widthBand(row.rowidWidth))!, byLocation.get(row.location)!]) {
      tally.present += 1;
      if (hit) tally.found += 1;
    }
  }
  return { byWidth, byLocation, present: present.length, found };
}

/** Every marker text (whole, up to the end of its string) inside a value: strings and base64 blobs alike. */
function textsIn(value: unknown): string[] {
  let s: string | undefined;
  if (typeof value === 'string') s = value;
  else if (value && typeof value === 'object' && 'base64' in value)
    s = Buffer.from(String((value as { base64: string }).base64), 'base64').toString('utf8');
  if (!s?.includes(TEXT_MARKER)) return [];
  return s
    .split(TEXT_MARKER)
    .slice(1)
    .map((part) => TEXT_MARKER + part);
}

/** Scores `iosrescue carve --json` output (one record per line) against the generator's truth. */
export async function scoreOurs(jsonLines: string, db: GeneratedDb, present: PresentRow[]): Promise<Score> {
  const deadByGuid = new Map<string, DeadMessage>();
  for (const dead of db.dead.values()) deadByGuid.set(dead.guid, dead);
  const recovered = new Set<string>();
  let reported = 0;
  let correct = 0;
  let misattributed = 0;
  let liveReported = 0;
  const lines = createInterface({ input: createReadStream(jsonLines), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const record = JSON.parse(line) as { table: string | null; values: unknown[] };
    const texts = record.values.flatMap(textsIn);
    if (record.table !== 'message') {
      if (texts.length > 0) misattributed += 1;
      continue;
    }
    reported += 1;
    const [rowid, guid, text] = record.values;
    const known = (v: unknown): boolean => !(v && typeof v === 'object' && 'unknown' in v);
    const dead =
      typeof text === 'string' ? db.dead.get(text) : typeof guid === 'string' ? deadByGuid.get(guid) : undefined;
    const agrees =
      dead !== undefined &&
      (!known(rowid) || rowid === dead.rowid) &&
      (!known(guid) || guid === dead.guid) &&
      (!known(text) || text === dead.text);
    if (agrees) {
      correct += 1;
      if (text === dead.text) recovered.add(dead.text);
    } else if (typeof text === 'string' && db.live.has(text)) {
      liveReported += 1;
    }
  }
  return { ...recallOf(present, recovered), reported, correct, misattributed, liveReported };
}
