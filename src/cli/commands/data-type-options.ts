import { ExtractError, parseDataTypes, type DataType, type DateRange } from '../../extract/index.js';
import { CliUsageError } from '../run-command.js';

/** `--types photos,messages` → the types; an unknown name is a usage error (exit status 2). */
export function dataTypesOption(list: string | undefined): DataType[] {
  try {
    return parseDataTypes(list);
  } catch (error) {
    if (error instanceof ExtractError) throw new CliUsageError(error.message);
    throw error;
  }
}

/**
 * `--since`/`--until`: a day (YYYY-MM-DD, UTC; --until includes the whole day) or an ISO 8601 date-time.
 */
export function dateRangeOption(since: string | undefined, until: string | undefined): DateRange {
  const parse = (value: string, endOfDay: boolean, flag: string): Date => {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const date = new Date(day ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : value);
    if (Number.isNaN(date.getTime())) throw new CliUsageError(`${flag} ${value} is not a date (use YYYY-MM-DD or an ISO 8601 date-time)`);
    return date;
  };
  const range: DateRange = {};
  if (since !== undefined) range.since = parse(since, false, '--since');
  if (until !== undefined) range.until = parse(until, true, '--until');
  if (range.since && range.until && range.since > range.until) throw new CliUsageError('--since is after --until');
  return range;
}
