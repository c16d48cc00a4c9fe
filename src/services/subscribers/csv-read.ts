/**
 * Reading subscriber CSV (RFC 4180) with csv-parse, bounded: a row, a field
 * and the number of fields in a row have limits, so whatever is uploaded,
 * at most one row of it is held in memory. A file that cannot be read is
 * refused as a whole with `csv_invalid`, naming the line.
 */
import { Readable } from 'node:stream';
import { CsvError, type Info, type Parser, parse } from 'csv-parse';
import { CrierError } from '../../domain/errors.ts';

export const csvLimits = {
  /** Characters in one field: a contact is at most 2,000; a list of component ids may be longer. */
  fieldChars: 32_768,
  /** Characters in one row, its fields together. */
  rowChars: 65_536,
  /** Fields in one row. */
  fields: 64,
} as const;

export interface CsvRecord {
  cells: string[];
  /** The line the row starts on (the header is line 1). */
  line: number;
}

function csvInvalid(line: number, reason: string): CrierError {
  return new CrierError('csv_invalid', `The CSV cannot be read at line ${line}: ${reason}.`, {
    line,
    reason,
  });
}

const reasons: Record<string, string> = {
  CSV_MAX_RECORD_SIZE: `a row longer than ${csvLimits.rowChars} characters (an unclosed quote?)`,
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text follows a closing quote (write a quote inside a quoted field as "")',
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one (quote the whole field)',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'more fields than the header names',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'more fields than the header names',
};

/** Any failure of the parser as a CrierError naming the line. */
export function csvFailure(err: unknown): CrierError {
  if (err instanceof CrierError) return err;
  if (err instanceof CsvError) {
    return csvInvalid(typeof err.lines === 'number' ? err.lines : 0, reasons[err.code] ?? err.message);
  }
  return csvInvalid(0, err instanceof Error ? err.message : 'not CSV');
}

/**
 * A csv-parse stream with the limits. `max_record_size` bounds the row as it
 * grows; `cast` runs on each field as it ends, which bounds the field and the
 * number of fields (a row of a million commas holds no characters at all).
 */
export function csvParser(): Parser {
  return parse({
    bom: true,
    info: true,
    max_record_size: csvLimits.rowChars,
    // Short rows are fine (spreadsheets drop trailing empty cells); long ones are refused.
    relax_column_count_less: true,
    cast: (value, context) => {
      if (context.index >= csvLimits.fields)
        throw csvInvalid(context.lines, `more than ${csvLimits.fields} fields in a row`);
      if (value.length > csvLimits.fieldChars)
        throw csvInvalid(context.lines, `a field longer than ${csvLimits.fieldChars} characters`);
      return value;
    },
  });
}

/** What csv-parse hands out with `info: true`. */
export interface ParsedRow {
  record: unknown[];
  info: Info;
}

/** Rows as they are parsed, each with the line it starts on. */
export async function* csvRecords(source: AsyncIterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const parser = csvParser();
  const input = Readable.from(source);
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let end = 0;
  try {
    // The parser's rows are typed `any`; with `info: true` (csvParser) each is a record and its info.
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      const line = end + 1;
      end = row.info.lines;
      yield { cells: row.record.map(String), line };
    }
  } catch (err) {
    throw csvFailure(err);
  } finally {
    input.destroy();
  }
}

/** Blank rows are skipped. */
export function isBlank(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

const defused = /^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A cell as written, less the quote our export puts before a cell a spreadsheet would run. */
export function undefuse(cell: string): string {
  return defused.test(cell) ? cell.slice(1) : cell;
}
