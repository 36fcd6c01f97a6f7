/**
 * One CSV record (RFC 4180): fields with a comma, quote, CR or LF are quoted and their quotes doubled; lines end
 * in CRLF. Values are written as they are (no spreadsheet-formula escaping, which would change phone numbers
 * starting with "+"); open untrusted CSVs as text.
 */
export function csvRow(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${values
    .map((v) => {
      if (v === null || v === undefined) return '';
      const text = String(v);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}
