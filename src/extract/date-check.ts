/**
 * Whether a decoded date can be shown as fact. A phone database read with the wrong epoch or unit (Unix seconds read
 * as seconds since 2001, nanoseconds as seconds), or a damaged row, gives dates decades away; such a date is kept as
 * decoded but flagged (`dateSuspect: true` on the record, "date unclear" to a person), never printed as if it were
 * known. The window: 2000-01-01 (before any iPhone, with room for a clock set back) to one year after now.
 */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
const YEAR_MS = 366 * 86_400_000;

/** True for a date inside 2000-01-01 … now + 1 year; null (no date) counts as plausible: there is nothing to doubt. */
export function isPlausibleDate(iso: string | null | undefined, now: number = Date.now()): boolean {
  if (iso === null || iso === undefined) return true;
  const t = Date.parse(iso);
  return Number.isFinite(t) && t >= EARLIEST_PLAUSIBLE_MS && t <= now + YEAR_MS;
}

/**
 * `{ dateSuspect: true }` when any of a record's dates is outside the window, else `{}`: spread into a record, so
 * records whose dates are fine carry no extra field.
 */
export function dateFlag(...dates: Array<string | null | undefined>): { dateSuspect?: true } {
  return dates.every((d) => isPlausibleDate(d)) ? {} : { dateSuspect: true };
}
