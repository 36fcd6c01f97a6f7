import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { GeneratedDb } from './generate.js';
import { measure, type Measured } from './run.js';
import { recallOf, type Score } from './score.js';
import type { PresentRow } from './truth.js';

/**
 * The peers, built from their public sources outside the repository (IOSRESCUE_CARVE_PEERS, default
 * /tmp/carve-scale-peers):
 *   sqlite-dissect/  DC3's source (github dod-cyber-crime-center/sqlite-dissect) run with Debian's python3 and
 *                    apt packages python3-configargparse python3-openpyxl; `-c -f -b message -e csv`: carving on,
 *                    freelist carving on, the message table only (it carves a table at a time; ours carves all).
 *   fqlite-1.5.6/    FQLite 1.5.6 (github pawlaszczyk/fqlite at 36670cf, its last release with a command-line mode),
 *                    src/ compiled with `javac --release 8` into classes/ against Debian's libantlr4-runtime-java
 *                    and libcommons-codec-java; that tree lacks the GUI helper fqlite.ui.PopupFactory, so a one-line
 *                    empty stand-in is compiled with it (the command-line carver never calls it).
 * A peer's recall counts a dead row's text found whole anywhere in its output (generous: ours counts only records
 * attributed to `message` with the right values); "live rows reported" counts live texts in rows it marks deleted.
 */
export const PEERS_DIR = process.env.IOSRESCUE_CARVE_PEERS ?? '/tmp/carve-scale-peers';

interface Peer {
  name: string;
  missing(): string | null;
  run(db: GeneratedDb, out: string): Promise<Measured>;
  /** Output files to scan, and whether a line is a row the peer reports as deleted or carved. */
  outputs(out: string): string[];
  marksDeleted(line: string): boolean;
}

const sqliteDissect: Peer = {
  name: 'sqlite-dissect',
  missing() {
    if (!existsSync(join(PEERS_DIR, 'sqlite-dissect/main.py')))
      return `no ${PEERS_DIR}/sqlite-dissect/main.py (git archive of github dod-cyber-crime-center/sqlite-dissect)`;
    if (!existsSync('/usr/bin/python3')) return 'no /usr/bin/python3';
    return null;
  },
  async run(db, out) {
    mkdirSync(out, { recursive: true });
    const args = [
      join(PEERS_DIR, 'sqlite-dissect/main.py'),
      db.path,
      '-c',
      '-f',
      '-b',
      'message',
      '-e',
      'csv',
      '-d',
      out,
    ];
    return measure('/usr/bin/python3', args, join(out, 'stdout.txt'));
  },
  outputs: (out) =>
    readdirSync(out)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => join(out, f)),
  marksDeleted: (line) => line.includes('"Carved"') || line.includes('"Deleted"'),
};

const fqlite: Peer = {
  name: 'FQLite 1.5.6',
  missing() {
    if (!existsSync(join(PEERS_DIR, 'fqlite-1.5.6/classes/fqlite/base/MAIN.class')))
      return `no ${PEERS_DIR}/fqlite-1.5.6/classes (javac of github pawlaszczyk/fqlite at 36670cf)`;
    if (!existsSync('/usr/share/java/antlr4-runtime.jar'))
      return 'no /usr/share/java/antlr4-runtime.jar (apt libantlr4-runtime-java)';
    return null;
  },
  async run(db, out) {
    mkdirSync(out, { recursive: true });
    const cp = [
      join(PEERS_DIR, 'fqlite-1.5.6/classes'),
      '/usr/share/java/antlr4-runtime.jar',
      '/usr/share/java/commons-codec.jar',
    ];
    const wal = existsSync(`${db.path}-wal`) ? [`--wal:${db.path}-wal`] : [];
    // It writes results<name><time>.csv into its working directory.
    return measure('java', ['-cp', cp.join(':'), 'fqlite.base.MAIN', ...wal, db.path], join(out, 'stdout.txt'), out);
  },
  outputs: (out) =>
    readdirSync(out)
      .filter((f) => f.startsWith('results') && f.endsWith('.csv'))
      .map((f) => join(out, f)),
  // table;status;offset;…: the status is blank for a live row, D (deleted) or F (freelist) otherwise.
  marksDeleted: (line) => {
    const status = line.split(';', 2)[1] ?? '';
    return status.trim() !== '';
  },
};

const ALL = [sqliteDissect, fqlite];

/** Larger databases take the peers minutes to hours (sqlite-dissect reads ~0.5 MB/s here). */
const PEER_MAX_BYTES = Number(process.env.IOSRESCUE_CARVE_PEER_MAX_MB ?? 80) * 1e6;

export async function runPeers(
  names: string[],
  db: GeneratedDb,
  present: PresentRow[],
  line: (label: string, s: Pick<Score, 'byWidth' | 'byLocation' | 'present' | 'found'>) => string,
): Promise<string[]> {
  const lines: string[] = [];
  for (const peer of ALL.filter((p) => names.some((n) => p.name.toLowerCase().startsWith(n.toLowerCase())))) {
    const why = peer.missing();
    if (why) {
      lines.push(`  ${peer.name}: peer not available: ${why}`);
      continue;
    }
    if (db.bytes > PEER_MAX_BYTES) {
      lines.push(`  ${peer.name}: not run above ${PEER_MAX_BYTES / 1e6} MB (IOSRESCUE_CARVE_PEER_MAX_MB raises it)`);
      continue;
    }
    const out = `${db.path}.${peer.name.split(' ')[0]!.toLowerCase()}`;
    rmSync(out, { recursive: true, force: true });
    const run = await peer.run(db, out);
    const outputs = peer.outputs(out);
    if (run.status !== 0 || outputs.length === 0) {
      lines.push(
        `  ${peer.name}: failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`,
      );
      continue;
    }
    const { recovered, liveReported } = await scanOutput(outputs, db, peer.marksDeleted);
    const s = recallOf(present, recovered);
    lines.push(line(peer.name, s));
    lines.push(
      `  ${''.padEnd(15)} live rows reported ${liveReported}; ${(db.bytes / 1e6 / run.seconds).toFixed(1)} MB/s ` +
        `(${run.seconds.toFixed(2)} s whole process, ${run.cpuSeconds?.toFixed(2) ?? '?'} CPU-s), peak RSS ${run.peakRssMb?.toFixed(0) ?? '?'} MB`,
    );
    rmSync(out, { recursive: true, force: true });
  }
  return lines;
}

const MARKER = /m\u00a7(\d+)\u00a7/g;

async function scanOutput(
  files: string[],
  db: GeneratedDb,
  marksDeleted: (line: string) => boolean,
): Promise<{ recovered: Set<string>; liveReported: number }> {
  const deadBySerial = new Map<string, string>();
  for (const text of db.dead.keys()) deadBySerial.set(text.split('\u00a7')[1]!, text);
  const liveBySerial = new Map<string, string>();
  for (const text of db.live) liveBySerial.set(text.split('\u00a7')[1]!, text);
  const recovered = new Set<string>();
  let liveReported = 0;
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const text of lines) {
      let liveHere = false;
      for (const m of text.matchAll(MARKER)) {
        const dead = deadBySerial.get(m[1]!);
        if (dead && text.includes(dead)) recovered.add(dead);
        const live = liveBySerial.get(m[1]!);
        if (live && text.includes(live)) liveHere = true;
      }
      if (liveHere && marksDeleted(text)) liveReported += 1;
    }
  }
  return { recovered, liveReported };
}
