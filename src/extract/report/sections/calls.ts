import type { CallRecord } from '../../records.js';
import { dateTime, duration, text } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordTable } from './table.js';

const KIND: Record<string, string> = {
  phone: 'Phone',
  'facetime-video': 'FaceTime video',
  'facetime-audio': 'FaceTime audio',
};

/** As in the Phone app's Recents: missed calls stand out, outgoing ones are marked. */
function direction(call: CallRecord): string {
  if (call.direction === 'outgoing') return call.answered ? '↗ outgoing' : '↗ outgoing, not answered';
  return call.answered ? '↙ incoming' : '<strong>✕ missed</strong>';
}

export const callsSection: ReportSection = {
  render: (context) =>
    recordTable<CallRecord>(context, `${context.folder}/calls.json`, [
      { title: 'Date', cell: (c) => dateTime(c.date) },
      { title: 'Name', cell: (c) => text(c.name) },
      { title: 'Number or address', cell: (c) => text(c.address) },
      { title: 'Call', cell: (c) => direction(c) },
      { title: 'Kind', cell: (c) => text(KIND[c.kind] ?? c.kind) },
      { title: 'Duration', cell: (c) => duration(c.durationSeconds), numeric: true },
    ]),
};
