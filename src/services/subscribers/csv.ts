/**
 * Subscribers in and out as CSV (RFC 4180). Import streams, bounded (see
 * csv-read.ts and CRIER_IMPORT_MAX_BYTES), so a large file never sits in
 * memory. Imported contacts count as confirmed (the importer vouches for
 * their consent) unless `confirm` asks for double opt-in.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { componentIdsOf } from '../../store/json.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import { type Contact, contactOf } from './contact.ts';
import { csvFailure, csvParser, csvRecords, isBlank, type ParsedRow, undefuse } from './csv-read.ts';
import { defaultRegion, upsertSubscriber } from './subscribe.ts';

const contactColumns = ['email', 'phone', 'voice', 'webhook', 'slack', 'teams', 'discord'] as const;
const importColumns = [...contactColumns, 'component_ids', 'locale'] as const;

export const ImportResult = z
  .object({
    rows: z.number(),
    imported: z.number(),
    unchanged: z.number().describe('Already subscribed and confirmed: left as they were.'),
    invalid: z.number(),
    errors: z
      .array(z.object({ line: z.number(), message: z.string() }))
      .describe('The first problems, by line (the header is line 1).'),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.infer<typeof ImportResult>;

export interface ImportOptions {
  confirm: boolean;
  audience?: string;
  offered: ReadonlySet<string>;
  /** The size the client announced (Content-Length), refused at once when over the limit. */
  declaredBytes?: number;
}

/**
 * Imports subscribers from CSV. The upload is first written to a temporary
 * file while it is parsed, so a file that cannot be read, or is too large,
 * is refused before anything changes; then the file is read again and
 * imported 500 rows to a transaction. Rows that can be read but not used
 * (an invalid address, an unknown component) are counted and reported by
 * line, and the others are imported.
 */
export async function importSubscribers(
  ctx: Ctx,
  body: AsyncIterable<Buffer | string>,
  options: ImportOptions,
): Promise<ImportResult> {
  authorize(ctx, 'subscriber.write');
  const maxBytes = ctx.config.importMaxBytes;
  if (options.declaredBytes !== undefined && options.declaredBytes > maxBytes) throw tooLarge(maxBytes);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crier-import-'));
  try {
    const file = path.join(dir, 'upload.csv');
    const header = await spool(body, file, maxBytes);
    return await importSpooled(ctx, createReadStream(file), header, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tooLarge(maxBytes: number, line?: number): CrierError {
  return new CrierError(
    'payload_too_large',
    `The CSV is larger than ${maxBytes} bytes (CRIER_IMPORT_MAX_BYTES)${line ? `; it passed the limit at line ${line}` : ''}. Split it into smaller files.`,
    { max_bytes: maxBytes, ...(line && { line }) },
  );
}

/** The header's columns, lower case; throws when it names none to reach anyone by, or unknown ones. */
function readHeader(cells: readonly string[]): string[] {
  const header = cells.map((c) => c.trim().toLowerCase());
  const unknown = header.filter((h) => !importColumns.some((c) => c === h));
  if (unknown.length > 0 || !header.some((h) => contactColumns.some((c) => c === h))) {
    throw new CrierError('validation_failed', 'The CSV header must name contact columns.', [
      {
        path: 'header',
        message: `columns: ${importColumns.join(', ')}${unknown.length ? `; unknown: ${unknown.slice(0, 10).join(', ')}` : ''}`,
      },
    ]);
  }
  return header;
}

/**
 * Writes the upload to `file`, parsing it on the way, and answers its header.
 * Stops at the first byte over `maxBytes` or the first thing that cannot be read.
 */
async function spool(
  body: AsyncIterable<Buffer | string>,
  file: string,
  maxBytes: number,
): Promise<string[]> {
  const out = createWriteStream(file);
  const parser = csvParser();
  let header: string[] | null = null;
  let failure: unknown = null;
  parser.on('data', (row: ParsedRow) => {
    if (header !== null || failure !== null) return;
    try {
      header = readHeader(row.record.map(String));
    } catch (err) {
      failure = err;
    }
  });
  // Failures also reach the write callbacks below; this keeps the stream from throwing them.
  parser.on('error', (err) => {
    failure ??= err;
  });
  const fail = (err: unknown) => (err instanceof CrierError ? err : csvFailure(err));
  try {
    const parse = async (chunk: Buffer | string) => {
      await new Promise<void>((resolve, reject) =>
        parser.write(chunk, (err) => (err ? reject(err) : resolve())),
      ).catch((err: unknown) => {
        throw fail(failure ?? err);
      });
      if (failure !== null) throw fail(failure);
    };
    let bytes = 0;
    for await (const chunk of body) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += data.length;
      if (bytes > maxBytes) {
        // Read up to the limit, to name the line it falls on (or a fault before it).
        await parse(data.subarray(0, data.length - (bytes - maxBytes)));
        throw tooLarge(maxBytes, parser.info.lines);
      }
      await parse(data);
      if (!out.write(data)) await once(out, 'drain');
    }
    parser.end();
    await finished(parser).catch((err: unknown) => {
      throw fail(failure ?? err);
    });
    if (failure !== null) throw fail(failure);
    if (header === null)
      throw new CrierError('validation_failed', 'The CSV is empty.', [
        { path: 'body', message: 'no header row' },
      ]);
    return header;
  } finally {
    parser.destroy();
    out.end();
    await finished(out).catch(() => undefined);
  }
}

async function importSpooled(
  ctx: Ctx,
  file: AsyncIterable<Buffer | string>,
  header: readonly string[],
  options: ImportOptions,
): Promise<ImportResult> {
  const audience = options.audience ?? 'public';
  const result: ImportResult = { rows: 0, imported: 0, unchanged: 0, invalid: 0, errors: [] };
  const knownComponents = new Set(
    (await ctx.db.selectFrom('components').select('id').execute()).map((c) => c.id),
  );
  const region = await defaultRegion(ctx.db);
  let batch: { line: number; contact: Contact; components: string[]; locale: string | undefined }[] = [];
  const problem = (at: number, message: string) => {
    result.invalid += 1;
    if (result.errors.length < 100) result.errors.push({ line: at, message });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await withTransaction(ctx, async (tx) => {
      for (const r of rows) {
        const u = await upsertSubscriber(tx, r.contact, r.components, r.locale, {
          audience,
          source: 'import',
          doubleOptIn: options.confirm,
          offered: options.offered,
        }).catch((err: unknown) => {
          if (err instanceof CrierError) {
            problem(r.line, err.message);
            return null;
          }
          throw err;
        });
        if (u === null) continue;
        if (u.unchanged) result.unchanged += 1;
        else result.imported += 1;
      }
    });
  };

  let first = true;
  for await (const { cells, line } of csvRecords(file)) {
    if (first) {
      first = false;
      continue;
    }
    if (isBlank(cells)) continue;
    result.rows += 1;
    const record: Record<string, string> = {};
    header.forEach((h, i) => {
      record[h] = undefuse((cells[i] ?? '').trim());
    });
    const components = (record.component_ids ?? '').split(/[\s;|,]+/).filter(Boolean);
    const unknown = components.filter((c) => !knownComponents.has(c));
    if (unknown.length > 0) {
      problem(line, `unknown component ${unknown.slice(0, 10).join(', ')}`);
      continue;
    }
    const given = contactColumns.filter((c) => record[c]);
    if (given.length === 0) {
      problem(line, 'no contact in this row');
      continue;
    }
    for (const column of given) {
      const contact = contactOf({ [column]: record[column] }, region);
      if (typeof contact === 'string') {
        problem(line, contact);
        continue;
      }
      batch.push({ line, contact, components, locale: record.locale || undefined });
    }
    if (batch.length >= 500) await flush();
  }
  await flush();
  await withTransaction(ctx, (tx) =>
    audit(tx, {
      action: 'subscriber.import',
      subjectType: 'subscriber',
      subjectId: null,
      after: {
        rows: result.rows,
        imported: result.imported,
        invalid: result.invalid,
        confirm: options.confirm,
      },
    }),
  );
  return result;
}

const exportColumns = [
  'id',
  'kind',
  'audience',
  'state',
  'email',
  'phone',
  'voice',
  'webhook',
  'slack',
  'teams',
  'discord',
  'component_ids',
  'locale',
  'created_at',
  'confirmed_at',
] as const;

/**
 * CSV lines by csv-stringify. `escape_formulas` puts a quote before any cell a
 * spreadsheet would run as a formula (one starting with =, +, -, @, a tab or a
 * carriage return, or their full-width forms), phone numbers included: the
 * import takes that quote off again.
 */
export function csvLines(rows: string[][]): string {
  // A carriage return is quoted too: readers that end rows at a lone CR would split the row there.
  return stringify(rows, {
    escape_formulas: true,
    record_delimiter: 'unix',
    quoted_match: /\r/,
  });
}

/**
 * Every subscriber (push subscriptions excepted: they belong to one browser), as CSV lines.
 * Contact details: checked before the first line, so a refusal is an answer, not a broken download.
 */
export function exportSubscribers(ctx: Ctx, audience?: string): AsyncGenerator<string> {
  authorize(ctx, 'subscriber.read');
  return exportLines(ctx.db, audience);
}

async function* exportLines(db: Db, audience?: string): AsyncGenerator<string> {
  yield csvLines([[...exportColumns]]);
  let after = '';
  for (;;) {
    let q = db
      .selectFrom('subscribers')
      .selectAll()
      .where('id', '>', after)
      .where('kind', '!=', 'push')
      .orderBy('id')
      .limit(1000);
    if (audience) q = q.where('audience', '=', audience);
    const rows = await q.execute();
    if (rows.length === 0) return;
    yield csvLines(
      rows.map((r) => {
        const column = r.kind === 'sms' ? 'phone' : r.kind;
        const cells: Record<string, string> = {
          id: r.id,
          kind: r.kind,
          audience: r.audience,
          state: r.state,
          [column]: r.contact,
          component_ids: componentIdsOf(r).join(' '),
          locale: r.locale ?? '',
          created_at: r.created_at,
          confirmed_at: r.confirmed_at ?? '',
        };
        return exportColumns.map((c) => cells[c] ?? '');
      }),
    );
    after = rows.at(-1)?.id ?? after;
  }
}
