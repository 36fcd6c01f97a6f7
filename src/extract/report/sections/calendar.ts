import type { EventRecord } from '../../records.js';
import { dateTime, text, webLink } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordTable } from './table.js';

/** All-day events are stored from midnight UTC of the first day to midnight after the last: shown as dates. */
function when(e: EventRecord): string {
  if (!e.allDay)
    return `${dateTime(e.start)} – ${dateTime(e.end)}${e.timeZone ? ` <span class="muted">(${text(e.timeZone)})</span>` : ''}`;
  const last = e.end ? new Date(Date.parse(e.end) - 86_400_000).toISOString() : null;
  return last && e.start && last.slice(0, 10) !== e.start.slice(0, 10)
    ? `${dateTime(e.start, { dateOnly: true })} – ${dateTime(last, { dateOnly: true })}, all day`
    : `${dateTime(e.start, { dateOnly: true })}, all day`;
}

export const calendarSection: ReportSection = {
  render: (context) =>
    recordTable<EventRecord>(context, `${context.folder}/events.json`, [
      { title: 'When', cell: when },
      { title: 'Event', cell: (e) => `<strong>${text(e.summary)}</strong>` },
      { title: 'Calendar', cell: (e) => text(e.calendar) },
      { title: 'Where', cell: (e) => text([e.location, e.address].filter(Boolean).join(', ')) },
      { title: 'Notes', cell: (e) => `${text(e.notes)}${e.url ? ` ${webLink(e.url)}` : ''}`, long: true },
    ]),
};
