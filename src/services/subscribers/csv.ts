/**
 * Subscribers in and out as CSV (RFC 4180). Import streams: rows are parsed
 * as bytes arrive and written 500 to a transaction, so a large file never
 * sits in memory. Imported contacts count as confirmed (the importer vouches
 * for their consent) unless `confirm` asks for double opt-in.
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import { type Contact, contactOf } from './contact.ts';
import { upsertSubscriber } from './subscribe.ts';

/** Splits CSV text into rows as chunks arrive; quoted fields may hold commas, quotes and newlines. */
export async function* csvRows(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let afterQuote = false;
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    const out: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else field += c;
        continue;
      }
      if (c === '"' && field === '' && !afterQuote) quoted = true;
      else if (c === ',') {
        row.push(field);
        field = '';
        afterQuote = false;
      } else if (c === '\n') {
        row.push(field.replace(/\r$/, ''));
        out.push(row);
        row = [];
        field = '';
        afterQuote = false;
      } else field += c;
    }
    for (const r of out) yield r;
  }
  if (field !== '' || row.length > 0) {
    row.push(field.replace(/\r$/, ''));
    yield row;
  }
}

const contactColumns = ['email', 'phone', 'webhook', 'slack', 'teams', 'discord'] as const;
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

export async function importSubscribers(
  ctx: Ctx,
  body: AsyncIterable<Buffer | string>,
  options: { confirm: boolean; audience?: string; offered: ReadonlySet<string> },
): Promise<ImportResult> {
  authorize(ctx, 'subscriber.write');
  const audience = options.audience ?? 'public';
  const result: ImportResult = { rows: 0, imported: 0, unchanged: 0, invalid: 0, errors: [] };
  const knownComponents = new Set(
    (await ctx.db.selectFrom('components').select('id').execute()).map((c) => c.id),
  );
  let header: string[] | null = null;
  let line = 0;
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

  for await (const cells of csvRows(body)) {
    line += 1;
    if (header === null) {
      header = cells.map((c) => c.trim().toLowerCase());
      const unknown = header.filter((h) => !(importColumns as readonly string[]).includes(h));
      if (unknown.length > 0 || !header.some((h) => (contactColumns as readonly string[]).includes(h))) {
        throw new CrierError('validation_failed', 'The CSV header must name contact columns.', [
          {
            path: 'header',
            message: `columns: ${importColumns.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
          },
        ]);
      }
      continue;
    }
    if (cells.every((c) => c.trim() === '')) continue;
    result.rows += 1;
    const record: Record<string, string> = {};
    header.forEach((h, i) => {
      record[h] = (cells[i] ?? '').trim();
    });
    const components = (record.component_ids ?? '').split(/[\s;|,]+/).filter(Boolean);
    const unknown = components.filter((c) => !knownComponents.has(c));
    if (unknown.length > 0) {
      problem(line, `unknown component ${unknown.join(', ')}`);
      continue;
    }
    const given = contactColumns.filter((c) => record[c]);
    if (given.length === 0) {
      problem(line, 'no contact in this row');
      continue;
    }
    for (const column of given) {
      const contact = contactOf({ [column]: record[column] });
      if (typeof contact === 'string') {
        problem(line, contact);
        continue;
      }
      batch.push({ line, contact, components, locale: record.locale || undefined });
    }
    if (batch.length >= 500) await flush();
  }
  if (header === null)
    throw new CrierError('validation_failed', 'The CSV is empty.', [
      { path: 'body', message: 'no header row' },
    ]);
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
  'webhook',
  'slack',
  'teams',
  'discord',
  'component_ids',
  'locale',
  'created_at',
  'confirmed_at',
] as const;

/** One CSV cell; cells a spreadsheet would run as a formula are defused with a leading quote. */
export function csvCell(value: string): string {
  const safe = /^[=@\t\r]|^[+-](?!\d)/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Every subscriber (push subscriptions excepted: they belong to one browser), as CSV lines. */
export async function* exportSubscribers(db: Db, audience?: string): AsyncGenerator<string> {
  yield `${exportColumns.join(',')}\n`;
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
    let chunk = '';
    for (const r of rows) {
      const column = r.kind === 'sms' ? 'phone' : r.kind;
      const cells: Record<string, string> = {
        id: r.id,
        kind: r.kind,
        audience: r.audience,
        state: r.state,
        [column]: r.contact,
        component_ids: (JSON.parse(r.component_ids) as string[]).join(' '),
        locale: r.locale ?? '',
        created_at: r.created_at,
        confirmed_at: r.confirmed_at ?? '',
      };
      chunk += `${exportColumns.map((c) => csvCell(cells[c] ?? '')).join(',')}\n`;
    }
    yield chunk;
    after = rows.at(-1)?.id ?? after;
  }
}
