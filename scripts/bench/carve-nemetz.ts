/**
 * Per-category recall, phantoms and live-rows-reported-as-deleted on the Nemetz SQLite forensic corpus, next to
 * FQLite 1.5.6's figures on the same corpus (its command-line mode at commit 36670cf, scored against the corpus's
 * XML answer keys), plus a no-crash/no-hang pass over the anti-forensic categories 11–19.
 *
 *   npm run build && node dist/scripts/bench/carve-nemetz.js CORPUS_DIR [--verbose]
 * CORPUS_DIR (or IOSRESCUE_NEMETZ_CORPUS) is the corpus's folder, the one holding 0A … 19.
 */
import { resolve } from 'node:path';
import { scoreCategory, totals } from './nemetz-score.js';

const FQLITE: Record<string, string> = { '0C': '80/101 (0.79), 15 phantoms', '0D': '17/45 (0.38)', '0E': '0/12' };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const given = args.find((a) => !a.startsWith('--')) ?? process.env.IOSRESCUE_NEMETZ_CORPUS;
  if (given === undefined) {
    console.error(
      'usage: carve-nemetz CORPUS_DIR [--verbose]   (or set IOSRESCUE_NEMETZ_CORPUS): the folder holding 0A … 19',
    );
    process.exit(2);
  }
  const corpus = resolve(given);
  console.log(
    'category  recovered/deleted  recall  surviving-recovered  recall(surviving)  partial  phantoms  live-as-deleted  reported  | FQLite 1.5.6',
  );
  for (const category of ['0A', '0B', '0C', '0D', '0E']) {
    const scores = await scoreCategory(corpus, category);
    if (verbose) for (const s of scores) console.log('   ', JSON.stringify(s));
    const t = totals(scores);
    const ratio = (a: number, b: number): string => (b === 0 ? '  -  ' : (a / b).toFixed(3));
    console.log(
      `${category.padEnd(9)} ${`${t.recovered}/${t.deleted}`.padStart(17)}  ${ratio(t.recovered, t.deleted)}  ${`${t.recoveredSurviving}/${t.surviving}`.padStart(19)}  ${ratio(t.recoveredSurviving, t.surviving).padStart(17)}  ${String(t.partial).padStart(7)}  ${String(t.phantoms).padStart(8)}  ${String(t.liveReported).padStart(15)}  ${String(t.reported).padStart(8)}  | ${FQLITE[category] ?? ''}`,
    );
  }
  const hostile = ['11', '12', '13', '14', '15', '16', '17', '18', '19'];
  for (const category of hostile) {
    const started = Date.now();
    const scores = await scoreCategory(corpus, category);
    const t = totals(scores);
    const errors = scores.filter((s) => s.error).map((s) => `${s.database.split('/').pop()}: ${s.error}`);
    console.log(
      `${category}: ${scores.length} files in ${Date.now() - started} ms, ${t.recovered}/${t.deleted} deleted rows recovered, ${t.liveReported} live-as-deleted, ${t.phantoms} phantoms, typed errors: ${errors.length}${errors.length ? ` (${errors.join('; ')})` : ''}`,
    );
  }
}

await main();
