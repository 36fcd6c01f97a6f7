import type { ReminderRecord } from '../../records.js';
import { dateTime, text } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordTable } from './table.js';

/** iCalendar PRIORITY as the Reminders app shows it: 1–4 high (!!!), 5 medium (!!), 6–9 low (!). */
function priority(r: ReminderRecord): string {
  if (!r.priority) return '';
  return r.priority <= 4 ? '!!! ' : r.priority === 5 ? '!! ' : '! ';
}

/** As in the Reminders app: a circle, ticked when done; subtasks indented; the due date, all-day ones as a day. */
function reminder(r: ReminderRecord): string {
  const done = r.completed ? '☑' : '☐';
  return `${r.parent ? '↳ ' : ''}${done} ${text(priority(r))}${r.completed ? `<s>${text(r.title)}</s>` : `<strong>${text(r.title)}</strong>`}${r.flagged ? ' 🚩' : ''}`;
}

function due(r: ReminderRecord): string {
  if (r.due === null) return '';
  return r.allDay
    ? dateTime(r.due, { dateOnly: true })
    : `${dateTime(r.due)}${r.timeZone ? ` <span class="muted">(${text(r.timeZone)})</span>` : ''}`;
}

export const remindersSection: ReportSection = {
  render: (context) =>
    recordTable<ReminderRecord>(context, `${context.folder}/reminders.json`, [
      { title: 'List', cell: (r) => text(r.list) },
      { title: 'Reminder', cell: reminder, long: true },
      { title: 'Due', cell: due },
      { title: 'Notes', cell: (r) => text(r.notes), long: true },
      { title: 'Completed', cell: (r) => dateTime(r.completionDate) },
      { title: 'Modified', cell: (r) => dateTime(r.modified) },
    ]),
};
