import type { TypeResult } from '../extractor.js';
import { isDeleted } from './html.js';
import type { ReportInput } from './report-input.js';

/**
 * What a section showed: the items drawn (records, or messages for Messages and WhatsApp), how many of them are
 * deleted (in Recently Deleted, or rebuilt by the carver), and of those how many the carver rebuilt. All three are
 * counts of items the report holds, never estimates.
 */
export interface SectionStats {
  items: number;
  deleted: number;
  recovered: number;
}

export function emptyStats(): SectionStats {
  return { items: 0, deleted: 0, recovered: 0 };
}

/** Counts one drawn item by its origin. */
export function countItem(stats: SectionStats, origin: unknown): void {
  stats.items++;
  if (isDeleted(origin)) stats.deleted++;
  if (origin === 'recovered') stats.recovered++;
}

export function addStats(into: SectionStats, from: SectionStats): void {
  into.items += from.items;
  into.deleted += from.deleted;
  into.recovered += from.recovered;
}

export interface SectionContext {
  /** The type's entry in extraction.json. */
  result: TypeResult;
  /** The type's folder under the output folder (`photos`, `calendar`…). */
  folder: string;
  input: ReportInput;
  /** Appends HTML to the page (streamed to disk with backpressure: write record by record, never one big string). */
  write(html: string): Promise<void>;
}

/**
 * One data type's part of report.html. A type with no section of its own is drawn by the generic one (a table
 * of its JSON records), so a new extractor shows up in the report without any code here; a section file makes it
 * look like the phone's app. Name it in the extractor's descriptor (`section`); the tab and heading are the
 * descriptor's label.
 */
export interface ReportSection {
  /** Output sub-folder, when it is not named after the type. */
  folder?: string;
  render(context: SectionContext): Promise<SectionStats>;
}
