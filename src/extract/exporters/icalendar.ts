/**
 * iCalendar (RFC 5545) text: escaping of TEXT values (§3.3.11), content lines folded at 75 octets without splitting
 * a UTF-8 sequence (§3.1), CRLF line ends, DATE and DATE-TIME forms. Pure functions, no I/O.
 */

export function escapeIcsText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** One content line, folded: continuation lines start with a space and no line exceeds 75 octets. */
export function icsLine(name: string, value: string): string {
  const bytes = Buffer.from(`${name}:${value}`, 'utf8');
  if (bytes.length <= 75) return `${name}:${value}\r\n`;
  const parts: string[] = [];
  let at = 0;
  let limit = 75;
  while (at < bytes.length) {
    let end = Math.min(bytes.length, at + limit);
    // Never cut inside a UTF-8 sequence: back off to the start of the character.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end -= 1;
    parts.push(bytes.subarray(at, end).toString('utf8'));
    at = end;
    limit = 74; // the leading space of a continuation line counts
  }
  return `${parts.join('\r\n ')}\r\n`;
}

/** 20240131T093000Z */
export function icsUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** 20240131 (the calendar day of a floating all-day date, stored at midnight UTC). */
export function icsDate(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}

export interface IcsEvent {
  uid: string;
  summary: string | null;
  start: Date;
  end: Date | null;
  allDay: boolean;
  location: string | null;
  description: string | null;
  url: string | null;
  created: Date | null;
  /** Extra property lines, already formed (e.g. X-IOSRESCUE-ORIGIN). */
  extra?: Array<[string, string]>;
}

/** A VEVENT: times in UTC (the instant is what the phone stored), all-day events as DATE values. */
export function icsEvent(event: IcsEvent, stamp: Date): string {
  let out = 'BEGIN:VEVENT\r\n';
  out += icsLine('UID', escapeIcsText(event.uid));
  out += icsLine('DTSTAMP', icsUtc(stamp));
  if (event.allDay) {
    out += icsLine('DTSTART;VALUE=DATE', icsDate(event.start));
    if (event.end) out += icsLine('DTEND;VALUE=DATE', icsDate(event.end));
  } else {
    out += icsLine('DTSTART', icsUtc(event.start));
    if (event.end) out += icsLine('DTEND', icsUtc(event.end));
  }
  if (event.summary !== null) out += icsLine('SUMMARY', escapeIcsText(event.summary));
  if (event.location !== null) out += icsLine('LOCATION', escapeIcsText(event.location));
  if (event.description !== null) out += icsLine('DESCRIPTION', escapeIcsText(event.description));
  if (event.url !== null) out += icsLine('URL', event.url);
  if (event.created !== null) out += icsLine('CREATED', icsUtc(event.created));
  for (const [name, value] of event.extra ?? []) out += icsLine(name, escapeIcsText(value));
  return `${out}END:VEVENT\r\n`;
}

export interface IcsTodo {
  uid: string;
  summary: string | null;
  description: string | null;
  /** Null for a to-do without a due date. */
  due: Date | null;
  /** The due date is a day (DATE value), not an instant. */
  allDay: boolean;
  completed: Date | null;
  /** STATUS:COMPLETED when true, NEEDS-ACTION otherwise. */
  done: boolean;
  /** RFC 5545 §3.8.1.9: 1 highest … 9 lowest; 0 (undefined) is left out. */
  priority: number;
  created: Date | null;
  modified: Date | null;
  /** Extra property lines, already formed (e.g. CATEGORIES, X-IOSRESCUE-ORIGIN). */
  extra?: Array<[string, string]>;
}

/** A VTODO (RFC 5545 §3.6.2): due instants in UTC, an all-day due date as a DATE value. */
export function icsTodo(todo: IcsTodo, stamp: Date): string {
  let out = 'BEGIN:VTODO\r\n';
  out += icsLine('UID', escapeIcsText(todo.uid));
  out += icsLine('DTSTAMP', icsUtc(stamp));
  if (todo.summary !== null) out += icsLine('SUMMARY', escapeIcsText(todo.summary));
  if (todo.description !== null) out += icsLine('DESCRIPTION', escapeIcsText(todo.description));
  if (todo.due !== null)
    out += todo.allDay ? icsLine('DUE;VALUE=DATE', icsDate(todo.due)) : icsLine('DUE', icsUtc(todo.due));
  out += icsLine('STATUS', todo.done ? 'COMPLETED' : 'NEEDS-ACTION');
  if (todo.completed !== null) out += icsLine('COMPLETED', icsUtc(todo.completed));
  if (todo.priority > 0 && todo.priority <= 9) out += icsLine('PRIORITY', String(todo.priority));
  if (todo.created !== null) out += icsLine('CREATED', icsUtc(todo.created));
  if (todo.modified !== null) out += icsLine('LAST-MODIFIED', icsUtc(todo.modified));
  for (const [name, value] of todo.extra ?? []) out += icsLine(name, escapeIcsText(value));
  return `${out}END:VTODO\r\n`;
}

export function icsCalendarHead(name: string): string {
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//iosrescue//calendar export//EN\r\nCALSCALE:GREGORIAN\r\n${icsLine('X-WR-CALNAME', escapeIcsText(name))}`;
}

export const ICS_CALENDAR_TAIL = 'END:VCALENDAR\r\n';
