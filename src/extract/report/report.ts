import { createReadStream } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { safeJoin } from '../../backup/index.js';
import { TextSink } from '../exporters/text-sink.js';
import type { TypeResult } from '../extractor.js';
import { outputPermissions, type OutputMode } from '../output-mode.js';
import type { ExtractionReport } from '../pipeline.js';
import { descriptorOf } from '../registry.js';
import { WorkDir } from '../work-dir.js';
import { attr, fileLink, text } from './html.js';
import { pageHead, pageTail } from './page.js';
import { ReportInput } from './report-input.js';
import type { SectionStats } from './section.js';
import { genericSection, sectionFor } from './sections/index.js';

export const REPORT_FILE = 'report.html';

export interface ReportOptions {
  /** Parent of the private scratch folder (default: the OS temp folder). */
  tempDir?: string;
  /** Shown in the page's header; default: now. */
  generated?: Date;
}

export interface ReportTypeSummary {
  type: string;
  status: TypeResult['status'];
  /** extraction.json's count. */
  records: number;
  /** Items the section drew (messages for Messages and WhatsApp, records for the others); null when the type was not
   * drawn. */
  shown: number | null;
  /** Deleted items drawn: those in the phone's Recently Deleted plus those the carver rebuilt. */
  deleted: number | null;
  /** Of the deleted, the ones the carver rebuilt from free space, the -wal or the journal (origin recovered). */
  recovered: number | null;
}

export interface ReportSummary {
  file: string;
  types: ReportTypeSummary[];
}

/** The extractor's label; a type this build does not know (an older or newer extraction.json) by its name. */
function titleOf(type: string): string {
  return descriptorOf(type)?.label ?? type.charAt(0).toUpperCase() + type.slice(1);
}

/** Where the type's files are: the section's folder, or a folder named after the type. */
function folderOf(type: string): string {
  return sectionFor(type).folder ?? type;
}

/**
 * Writes `report.html` at the top of an output folder, from what the extractors left there: extraction.json and
 * each type's JSON records. The page is streamed: sections go to a scratch file first (their deleted counts are
 * only known once drawn and belong in the summary at the top), then the head and summary are written and the
 * sections copied after them. Nothing is held in memory beyond one record (one conversation's newest messages for
 * Messages and WhatsApp). A type whose files cannot be read gets a note in its section, not a failed report.
 */
export async function writeReport(outDir: string, options: ReportOptions = {}): Promise<ReportSummary> {
  const input = new ReportInput(outDir);
  const extraction = await input.readJson<ExtractionReport>('extraction.json');
  const work = await WorkDir.create(options.tempDir);
  try {
    const bodyPath = join(work.path, 'report-body.html');
    const body = new TextSink(bodyPath);
    const types: ReportTypeSummary[] = [];
    try {
      for (const result of extraction.types) types.push(await writeSection(body, input, result));
    } finally {
      await body.close();
    }
    // An extraction.json from before output modes existed says nothing: the page is written private, claims nothing.
    const page = new TextSink(await safeJoin(outDir, REPORT_FILE), outputPermissions(extraction.outputMode));
    try {
      await page.write(pageHead('iosrescue — recovered data'));
      await page.write(header(extraction, types, options.generated ?? new Date()));
      for await (const chunk of createReadStream(bodyPath, { encoding: 'utf8' })) await page.write(chunk as string);
      await page.write(footer(extraction.outputMode as OutputMode | undefined));
      await page.write(pageTail());
    } finally {
      await page.close();
    }
    return { file: REPORT_FILE, types };
  } finally {
    await work.close();
  }
}

async function writeSection(body: TextSink, input: ReportInput, result: TypeResult): Promise<ReportTypeSummary> {
  const type = result.type as string;
  const folder = folderOf(type);
  const write = (html: string): Promise<void> => body.write(html);
  await write(`<section class="type" id=${attr(type)} data-type=${attr(type)} data-records=${attr(result.records)}>\n`);
  await write(
    `<h2>${text(titleOf(type))} <span class="muted">${result.records} record${result.records === 1 ? '' : 's'}</span></h2>\n`,
  );
  const files = await input.files(folder);
  if (files.length > 0)
    await write(`<p class="files">Files: ${files.map((f) => fileLink(f, f.slice(folder.length + 1))).join(' ')}</p>\n`);
  let stats: SectionStats | null = null;
  if (result.status === 'missing') {
    await write('<p class="muted">Not in this backup.</p>\n');
  } else if (result.status === 'failed') {
    await write(
      `<p class="failed">Extraction failed: ${text(result.error?.message ?? 'unknown error')} [${text(result.error?.code ?? '')}]</p>\n`,
    );
  } else {
    try {
      stats = await sectionFor(type).render({ result, folder, input, write });
    } catch (error) {
      await write(`<p class="failed">This section could not be drawn: ${text((error as Error).message)}</p>\n`);
    }
  }
  if (result.warnings.length > 0) {
    await write(
      `<details class="warnings"><summary>${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}</summary><ul>${result.warnings.map((w) => `<li>${text(w)}</li>`).join('')}</ul></details>\n`,
    );
  }
  await write('</section>\n');
  return {
    type,
    status: result.status,
    records: result.records,
    shown: stats?.items ?? null,
    deleted: stats?.deleted ?? null,
    recovered: stats?.recovered ?? null,
  };
}

function header(extraction: ExtractionReport, types: ReportTypeSummary[], generated: Date): string {
  const range =
    extraction.range.since || extraction.range.until
      ? `Dates from ${extraction.range.since ?? 'the start'} to ${extraction.range.until ?? 'the end'}. `
      : '';
  const rows = types.map((t) => {
    const result = extraction.types.find((r) => r.type === t.type)!;
    const notes = [
      result.error ? `${result.error.code}: ${result.error.message}` : '',
      // Only a type's own section draws exactly its records; the generic one draws whatever JSON arrays its folder
      // holds.
      t.shown !== null && t.shown !== t.records && sectionFor(t.type) !== genericSection
        ? `the page shows ${t.shown}`
        : '',
      result.warnings.length > 0 ? `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return (
      `<tr data-type=${attr(t.type)}><td><a href=${attr(`#${encodeURIComponent(t.type)}`)}>${text(titleOf(t.type))}</a></td><td class=${attr(`status ${t.status}`)}>${text(t.status)}</td>` +
      `<td class="num records">${t.records}</td><td class="num deleted-count">${t.deleted ?? ''}</td>` +
      `<td class="num recently-deleted-count">${t.deleted === null || t.recovered === null ? '' : t.deleted - t.recovered}</td><td class="num recovered-count">${t.recovered ?? ''}</td>` +
      `<td class="num">${result.files}</td><td>${text(notes)}</td></tr>`
    );
  });
  const tabs = types.map(
    (t) =>
      `<a href=${attr(`#${encodeURIComponent(t.type)}`)}>${text(titleOf(t.type))} <span class="count" data-type=${attr(t.type)}>${t.records}</span></a>`,
  );
  return `<header><h1>Recovered data</h1>
<p class="meta">${text(range)}Report written ${text(generated.toISOString().slice(0, 16).replace('T', ' '))} UTC by iosrescue. Deleted items are marked
<span class="mark recently-deleted">Recently deleted</span> (still in the phone's trash, or marked for deletion) or <span class="mark">Recovered (deleted)</span> (rebuilt by the carver from the databases' free space, -wal and journal).
Every number below counts items this report holds; none is an estimate of what else might be recoverable.
Machine-readable: ${fileLink('extraction.json', 'extraction.json')} and each type's JSON and CSV files.</p></header>
<table id="summary"><thead><tr><th>Type</th><th>Status</th><th class="num">Records</th><th class="num">Deleted</th><th class="num">of which in Recently Deleted</th><th class="num">recovered by the carver</th><th class="num">Files</th><th>Notes</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<nav class="tabs">${tabs.join('')}</nav>
<div class="tools"><label><input type="checkbox" id="deleted-only"> Show only deleted items</label><input type="search" id="filter" placeholder="Filter this page…" aria-label="Filter"></div>
`;
}

/** Who may read this folder: a report about someone's messages should say whether others on the computer can. */
function footer(mode: OutputMode | undefined): string {
  if (mode === 'private') {
    return `<footer class="meta output-mode" data-output-mode="private">Files in this folder are readable only by ${text(ownerName())} (owner-only: files 0600, folders 0700).</footer>\n`;
  }
  if (mode === 'shared') {
    return '<footer class="meta output-mode" data-output-mode="shared">Files in this folder were written with --output-mode shared: their modes follow the umask, so other accounts on this computer may be able to read them.</footer>\n';
  }
  return '';
}

function ownerName(): string {
  try {
    return userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers).
    return 'the account that wrote them';
  }
}
