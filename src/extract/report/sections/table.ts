import { itemAttributes, originMark, text } from '../html.js';
import { countItem, emptyStats, type SectionContext, type SectionStats } from '../section.js';

export interface Column<T> {
  title: string;
  /** Cell HTML (already escaped). */
  cell(record: T): string;
  numeric?: boolean;
  long?: boolean;
}

/** A table with one row per record of a JSON array file, streamed: the shape of Calls, Calendar and History. */
export async function recordTable<T extends { origin?: unknown }>(
  context: SectionContext,
  file: string,
  columns: Array<Column<T>>,
): Promise<SectionStats> {
  const stats = emptyStats();
  const cls = (c: Column<T>): string => (c.numeric ? ' class="num"' : c.long ? ' class="long"' : '');
  await context.write(
    `<div class="scroll"><table><thead><tr>${columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${text(c.title)}</th>`).join('')}<th></th></tr></thead><tbody>\n`,
  );
  for await (const record of context.input.records<T>(file)) {
    await context.write(
      `<tr ${itemAttributes(record.origin)}>${columns.map((c) => `<td${cls(c)}>${c.cell(record)}</td>`).join('')}<td>${originMark(String(record.origin))}</td></tr>\n`,
    );
    countItem(stats, record.origin);
  }
  await context.write('</tbody></table></div>\n');
  return stats;
}

/** One card (or tile) per record of a JSON array file inside `<div class="…">`, streamed: Contacts, Notes, Photos. */
export async function recordCards<T extends { origin?: unknown }>(
  context: SectionContext,
  file: string,
  containerClass: string,
  card: (record: T) => string,
): Promise<SectionStats> {
  const stats = emptyStats();
  await context.write(`<div class="${containerClass}">\n`);
  for await (const record of context.input.records<T>(file)) {
    await context.write(card(record));
    countItem(stats, record.origin);
  }
  await context.write('</div>\n');
  return stats;
}
