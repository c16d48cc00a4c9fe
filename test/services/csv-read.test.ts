/**
 * Reading and writing subscriber CSV: the three ways the hand-written
 * reader went wrong, the limits, the lines errors name, and the defusing of
 * cells a spreadsheet would run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrierError } from '../../src/domain/errors.ts';
import { csvLines } from '../../src/services/subscribers/csv.ts';
import { csvLimits, csvRecords, undefuse } from '../../src/services/subscribers/csv-read.ts';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer | string> {
  for (const p of parts) yield p;
}

async function read(...parts: (string | Buffer)[]) {
  const rows: { cells: string[]; line: number }[] = [];
  for await (const r of csvRecords(chunks(...parts))) rows.push(r);
  return rows;
}

async function failure(...parts: (string | Buffer)[]): Promise<{ line: number; reason: string }> {
  try {
    await read(...parts);
  } catch (err) {
    assert.ok(err instanceof CrierError, String(err));
    assert.equal(err.code, 'csv_invalid');
    return err.details as { line: number; reason: string };
  }
  assert.fail('read without an error');
}

test('a "" split across two chunks is one quote', async () => {
  const rows = await read('email\n"a"', '"b@x.com"\n');
  assert.deepEqual(rows[1]?.cells, ['a"b@x.com']);
  // And across bytes of a multi-byte character, too.
  const e = Buffer.from('email\n"é@x.com"\n');
  const at = e.indexOf(0xc3) + 1;
  assert.deepEqual((await read(e.subarray(0, at), e.subarray(at)))[1]?.cells, ['é@x.com']);
});

test('CR-only line endings are rows, like LF and CRLF', async () => {
  for (const eol of ['\r', '\n', '\r\n']) {
    const rows = await read(`email${eol}a@x.com${eol}b@x.com${eol}`);
    assert.deepEqual(
      rows.map((r) => r.cells[0]),
      ['email', 'a@x.com', 'b@x.com'],
      JSON.stringify(eol),
    );
  }
});

test('text after a closing quote is refused, naming the line', async () => {
  assert.deepEqual(await failure('email\na@x.com\n"b@x.com"x\n'), {
    line: 3,
    reason: 'text follows a closing quote (write a quote inside a quoted field as "")',
  });
  assert.equal((await failure('email\na"b@x.com\n')).line, 2, 'a quote inside an unquoted field');
  assert.equal((await failure('email\na@x.com\n"b@x.com\n')).reason, 'a quoted field is never closed');
  assert.equal((await failure('email,phone\na@x.com,,extra\n')).reason, 'more fields than the header names');
});

test('rows start on the line they say, across quoted newlines and blank lines', async () => {
  const rows = await read('\uFEFFemail\n"a\n\nb"\n\nc@x.com\n');
  assert.deepEqual(
    rows.map((r) => [r.cells[0], r.line]),
    [
      ['email', 1],
      ['a\n\nb', 2],
      ['', 5],
      ['c@x.com', 6],
    ],
  );
});

test('a row, a field and the number of fields have limits', async () => {
  const unclosed = await failure('email\na@x.com\n"', 'x'.repeat(csvLimits.rowChars + 10));
  assert.equal(unclosed.line, 3);
  assert.match(unclosed.reason, /a row longer than 65536 characters/);
  // A field over its limit, in a row within the row limit.
  const field = await failure(`email,locale\n${'x'.repeat(csvLimits.fieldChars + 1)},en\n`);
  assert.deepEqual(field, { line: 2, reason: 'a field longer than 32768 characters' });
  // A row of nothing but commas holds no characters, and is stopped by the number of its fields.
  const commas = await failure(`${','.repeat(1_000_000)}\n`);
  assert.deepEqual(commas, { line: 1, reason: 'more than 64 fields in a row' });
});

test('export defuses every cell a spreadsheet would run; import takes the quote off again', () => {
  const cells = ['+1+1@example.com', '=1+1', '-2+3@example.com', '@SUM(A1)', '\tx', '\rx', '+14155550100'];
  const line = csvLines([cells]);
  assert.equal(line, `'+1+1@example.com,'=1+1,'-2+3@example.com,'@SUM(A1),'\tx,"'\rx",'+14155550100\n`);
  for (const c of cells) assert.equal(undefuse(`'${c}`), c);
  assert.equal(undefuse("'plain"), "'plain", 'only the quote before a formula character is ours');
  assert.equal(csvLines([['a,b', 'say "hi"', 'plain']]), '"a,b","say ""hi""",plain\n');
});
