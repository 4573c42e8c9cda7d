/**
 * Suppression lists as CSV: csv-parse and csv-stringify (RFC 4180, streaming) instead of a hand-written parser.
 *
 * Spreadsheet-formula protection (OWASP "CSV injection"): an exported cell starting with = + - @ TAB or CR is prefixed
 * with `'`. That must never change the stored value, so the prefix is reversible: a cell that already starts with
 * `'` followed by one of those characters (or another `'`) is prefixed too, and the import strips exactly one such
 * prefix — an import of our own export restores exactly what was exported (`+tag@x.co` stays `+tag@x.co`).
 */
import { pipeline, Readable } from "node:stream";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";

const NEEDS_PREFIX = /^(?:[=+\-@\t\r]|'[=+\-@\t\r'])/;
const HAS_PREFIX = /^'[=+\-@\t\r']/;

export function protectFormula(value: string): string {
  return NEEDS_PREFIX.test(value) ? `'${value}` : value;
}

export function unprotectFormula(value: string): string {
  return HAS_PREFIX.test(value) ? value.slice(1) : value;
}

export function formatCsv(rows: (string | null | undefined)[][]): string {
  return stringify(
    rows.map((row) => row.map((cell) => protectFormula(cell ?? ""))),
    { record_delimiter: "\r\n" },
  );
}

/**
 * Rows of a CSV stream, each cell with the formula prefix removed. Excel's byte-order mark is skipped; rows of any
 * width are accepted (a short row just lacks its optional columns); blank lines are skipped. Memory stays bounded by
 * one row however large the file.
 */
export async function* parseCsvRows(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<{ line: number; cells: string[] }> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n", "\r"], info: true });
  // pipeline: an error on either side (413 from the body reader, a CsvError) destroys both, and leaving the loop
  // early (a bad header) stops reading the body.
  pipeline(Readable.from(source), parser, () => {});
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: info.lines, cells: record.map(unprotectFormula) };
  }
}
