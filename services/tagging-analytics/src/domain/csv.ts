/** A value a spreadsheet would run as a formula (=, +, -, @, and tab or CR that some trim first) gets a leading quote. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, and never a formula. */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows as CSV text with CRLF line ends, the first row being the header. */
export const toCsv = (rows: (string | number)[][]): string => rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
