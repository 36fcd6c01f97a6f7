import { attr, dateTime, fileHref, fileLink, isWebImage, itemAttributes, originMark, text, webLink } from '../html.js';
import type { ReportInput } from '../report-input.js';
import {
  addStats,
  countItem,
  emptyStats,
  type ReportSection,
  type SectionContext,
  type SectionStats,
} from '../section.js';

/**
 * Any type without a section of its own: each JSON array file in the type's folder becomes a table, one row per
 * record and one column per field (the fields of the first records), so a new extractor is in the report from
 * the day it writes its JSON. Paths of files in the type's folder become links (pictures as thumbnails), a folder
 * links to the page inside it (a conversation's .html), http(s) addresses become links, ISO dates dates; nested
 * values show as compact JSON.
 */

/** Records read before the columns are fixed. */
const SAMPLE = 50;
const NESTED_MAX = 300;

type Row = Record<string, unknown>;

async function cell(value: unknown, key: string, folder: string, input: ReportInput): Promise<string> {
  if (value === null || value === undefined) return '';
  if (key === 'origin') return `${text(String(value))}${originMark(String(value))}`;
  if (typeof value === 'string') {
    // Only an existing file becomes a link: a field may as well name a folder, or a file the backup lacked.
    if (value.startsWith(`${folder}/`) && fileHref(value) !== null) {
      if (await input.exists(value)) {
        return isWebImage(value)
          ? `<a href=${attr(fileHref(value)!)}><img loading="lazy" class="att" src=${attr(fileHref(value)!)} alt=""></a>`
          : fileLink(value, value.slice(folder.length + 1));
      }
      // A folder (one conversation's, say) links to the page it holds.
      const page = await input.pageIn(value);
      if (page !== null) return fileLink(page, value.slice(folder.length + 1));
    }
    if (/^https?:\/\//i.test(value)) return webLink(value);
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return dateTime(value);
    return text(value);
  }
  if (typeof value !== 'object') return text(String(value));
  const json = JSON.stringify(value);
  return `<code>${text(json.length > NESTED_MAX ? `${json.slice(0, NESTED_MAX)}…` : json)}</code>`;
}

async function table(context: SectionContext, file: string): Promise<SectionStats> {
  const sample: unknown[] = [];
  let started = false;
  const stats = emptyStats();
  let columns: string[] = [];
  const writeRow = async (record: unknown): Promise<void> => {
    const row: Row =
      record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Row) : { value: record };
    const extra = Object.keys(row).filter((k) => !columns.includes(k));
    const more =
      extra.length > 0
        ? await cell(Object.fromEntries(extra.map((k) => [k, row[k]])), '', context.folder, context.input)
        : '';
    const cells: string[] = [];
    // Long text (notes, bodies) wraps in a wide cell; the rest keeps its words whole (UUIDs, dates, numbers).
    for (const k of columns)
      cells.push(
        `<td${typeof row[k] === 'string' && (row[k] as string).length > 60 ? ' class="long"' : ''}>${await cell(row[k], k, context.folder, context.input)}</td>`,
      );
    await context.write(`<tr ${itemAttributes(row.origin)}>${cells.join('')}<td>${more}</td></tr>\n`);
    countItem(stats, row.origin);
  };
  const start = async (): Promise<void> => {
    const keys = new Set<string>();
    for (const r of sample)
      for (const k of r !== null && typeof r === 'object' && !Array.isArray(r) ? Object.keys(r) : ['value'])
        keys.add(k);
    columns = [...keys];
    started = true;
    await context.write(
      `<h3>${fileLink(file, file.slice(context.folder.length + 1))}</h3><div class="scroll"><table><thead><tr>${columns.map((k) => `<th>${text(k)}</th>`).join('')}<th></th></tr></thead><tbody>\n`,
    );
    for (const r of sample.splice(0)) await writeRow(r);
  };
  try {
    for await (const record of context.input.records<unknown>(file)) {
      if (started) await writeRow(record);
      else if (sample.push(record) === SAMPLE) await start();
    }
    if (!started) await start();
  } catch (error) {
    // A file that is no array of records (an index object, settings) is only listed with the folder's files;
    // one that breaks off half-way keeps the rows read so far and says so.
    if (!started) throw error;
    await context.write(
      `</tbody></table></div><p class="failed">${text(file)}: ${text((error as Error).message)}</p>\n`,
    );
    return stats;
  }
  await context.write('</tbody></table></div>\n');
  return stats;
}

export const genericSection: ReportSection = {
  async render(context) {
    const stats = emptyStats();
    const files = (await context.input.files(context.folder)).filter((f) => f.toLowerCase().endsWith('.json'));
    for (const file of files) {
      try {
        const shown = await table(context, file);
        addStats(stats, shown);
      } catch (error) {
        // Not an array of records (an index object, a settings file): listed with the folder's files instead.
        if (!(error instanceof SyntaxError)) throw error;
      }
    }
    if (files.length === 0) await context.write('<p class="muted">No JSON records in this folder.</p>\n');
    return stats;
  },
};
