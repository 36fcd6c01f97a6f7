import {
  DATA_TYPES,
  EXTRACTOR_LIST,
  ExtractError,
  parseDataTypes,
  type DataType,
  type DateRange,
} from '../../operations/index.js';
import { CliUsageError } from '../run-command.js';

/** The help of `--types`, from the extractor registry: every type, in pipeline order. */
export const DATA_TYPES_HELP = `only these types: ${DATA_TYPES.join(',')} (default: all)`;

/** What `extract --help` lists: each extractor's own words, in pipeline order ("photos, contacts (vCard), … and notes
 * (…)"). */
export function extractedTypesHelp(): string {
  const saves = EXTRACTOR_LIST.map((e) => e.saves);
  return saves.length < 2 ? saves.join('') : `${saves.slice(0, -1).join(', ')} and ${saves.at(-1)}`;
}

/** Width of the type column in `scan` and `extract` listings: the longest type name. */
export const TYPE_COLUMN = Math.max(...DATA_TYPES.map((t) => t.length));

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
    if (Number.isNaN(date.getTime()))
      throw new CliUsageError(`${flag} ${value} is not a date (use YYYY-MM-DD or an ISO 8601 date-time)`);
    return date;
  };
  const range: DateRange = {};
  if (since !== undefined) range.since = parse(since, false, '--since');
  if (until !== undefined) range.until = parse(until, true, '--until');
  if (range.since && range.until && range.since > range.until) throw new CliUsageError('--since is after --until');
  return range;
}
