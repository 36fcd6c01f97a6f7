/** report.html: one page to browse an extraction, drawn from the files the extractors wrote. */
export { writeReport, REPORT_FILE, type ReportOptions, type ReportSummary, type ReportTypeSummary } from './report.js';
export { SECTIONS, sectionFor, genericSection } from './sections/index.js';
export type { ReportSection, SectionContext, SectionStats } from './section.js';
export { readJsonArray } from './json-stream.js';
