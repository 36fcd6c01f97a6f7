import { EXTRACTOR_LIST } from '../../registry.js';
import type { ReportSection } from '../section.js';
import { genericSection } from './generic.js';

/**
 * The section of each data type that has one of its own (its extractor's descriptor names it), keyed by the type's
 * name in extraction.json. A type without one is drawn by `genericSection` (a table of its JSON records); giving
 * it a look of its own is one file in this folder, named in the extractor's descriptor.
 */
export const SECTIONS: Readonly<Record<string, ReportSection>> = Object.fromEntries(
  EXTRACTOR_LIST.flatMap((e) => (e.section === undefined ? [] : [[e.type, e.section]])),
);

export function sectionFor(type: string): ReportSection {
  return Object.hasOwn(SECTIONS, type) ? SECTIONS[type]! : genericSection;
}

export { genericSection };
