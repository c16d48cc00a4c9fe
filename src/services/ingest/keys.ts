/**
 * Ingest keys: one secret per alert source, the last segment of the URL a
 * monitoring system posts to (`/ingest/:source/:key`). Kept as API tokens
 * are (src/services/tokens/tokens.ts): shown once, stored as a SHA-256 hash,
 * revocable; managing them takes the same permission as managing tokens.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type IngestSource, ingestSources } from '../../domain/alerts.ts';
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import type { IngestKeyRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { hashSecret, newSecret, tokenFingerprint } from '../tokens/tokens.ts';
import { withTransaction } from '../transaction.ts';
import { viewOf } from '../view-of.ts';

/** A secret named by reference: the variable in Crier's environment that holds it. */
const secretReference = /^env:[A-Za-z_][A-Za-z0-9_]{0,99}$/;

export const CreateIngestKeyInput = z.strictObject({
  source: z.enum(ingestSources).describe('The system that posts with this key.'),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('What posts with it (a cluster, an account); the source by default.'),
  hmac_secret: z
    .string()
    .regex(secretReference, 'Name the variable that holds the secret: env:NAME.')
    .optional()
    .describe(
      "Grafana only: `env:NAME`, the variable in Crier's environment that holds this contact point's HMAC secret (several, comma-separated, during a rotation). Requests with this key must then be signed under it; never the secret itself.",
    ),
});
export type CreateIngestKeyInput = z.input<typeof CreateIngestKeyInput>;

export const IngestKeyView = z
  .object({
    id: z.string(),
    source: z.enum(ingestSources),
    name: z.string(),
    prefix: z.string().describe("sha256: and the start of the key's SHA-256; no part of the key itself."),
    created_by: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    hmac_secret: z
      .string()
      .nullable()
      .describe("Grafana: the variable holding the key's own HMAC secret (env:NAME); null when it has none."),
  })
  .meta({ id: 'IngestKey' });
export type IngestKeyView = z.infer<typeof IngestKeyView>;

export const CreatedIngestKeyView = IngestKeyView.extend({
  key: z.string().describe('The secret; shown once.'),
  path: z.string().describe('Where the source posts: /ingest/<source>/<key>, after Crier’s public address.'),
}).meta({ id: 'CreatedIngestKey' });
export type CreatedIngestKeyView = z.infer<typeof CreatedIngestKeyView>;

const keyColumns = [
  'id',
  'source',
  'name',
  'prefix',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
  'hmac_secret',
] as const;

function keyView(row: IngestKeyRow): IngestKeyView {
  return viewOf(IngestKeyView, keyColumns, row, {});
}

export async function createIngestKey(ctx: Ctx, raw: CreateIngestKeyInput): Promise<CreatedIngestKeyView> {
  authorize(ctx, 'token.manage');
  const input = CreateIngestKeyInput.parse(raw);
  if (input.hmac_secret !== undefined) {
    if (input.source !== 'grafana')
      throw new CrierError('validation_failed', 'Only a Grafana key takes an HMAC secret.', {
        source: input.source,
      });
    // Checked now, where requests will be checked: a key no request could ever sign is refused.
    const variable = input.hmac_secret.slice('env:'.length);
    if (!ctx.config.env[variable]?.trim())
      throw new CrierError(
        'validation_failed',
        `${variable} is not set in Crier's environment: set it to the contact point's HMAC secret, then create the key.`,
        { hmac_secret: input.hmac_secret },
      );
  }
  return withTransaction(ctx, async (tx) => {
    const key = newSecret('crier_in_');
    const hash = hashSecret(key);
    const row: IngestKeyRow = {
      id: newId(),
      source: input.source,
      name: input.name ?? input.source,
      hash,
      prefix: tokenFingerprint(hash),
      created_by: tx.actor.id,
      created_at: tx.clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
      hmac_secret: input.hmac_secret ?? null,
    };
    await tx.db.insertInto('ingest_keys').values(row).execute();
    const view = keyView(row);
    await audit(tx, {
      action: 'ingest_key.create',
      subjectType: 'ingest_key',
      subjectId: row.id,
      after: view,
    });
    return { ...view, key, path: `/ingest/${row.source}/${key}` };
  });
}

export async function listIngestKeys(ctx: Ctx): Promise<IngestKeyView[]> {
  authorize(ctx, 'token.manage');
  const rows = await ctx.db.selectFrom('ingest_keys').selectAll().orderBy('created_at').execute();
  return rows.map(keyView);
}

export async function revokeIngestKey(ctx: Ctx, id: string): Promise<IngestKeyView> {
  authorize(ctx, 'token.manage');
  return withTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('ingest_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new CrierError('ingest_key_not_found', `No ingest key has the id ${id}.`, { id });
    if (row.revoked_at !== null) return keyView(row);
    const revoked = { ...row, revoked_at: tx.clock.now().toISOString() };
    await tx.db
      .updateTable('ingest_keys')
      .set({ revoked_at: revoked.revoked_at })
      .where('id', '=', id)
      .execute();
    await audit(tx, {
      action: 'ingest_key.revoke',
      subjectType: 'ingest_key',
      subjectId: id,
      before: keyView(row),
      after: keyView(revoked),
    });
    return keyView(revoked);
  });
}

export interface IngestKeyHolder {
  keyId: string;
  source: IngestSource;
  name: string;
  prefix: string;
  /** Grafana: the reference (`env:NAME`) to the key's own HMAC secret, or null. */
  hmacSecret: string | null;
}

/**
 * The live key for a presented secret and source, or null: an unknown key, a
 * revoked one and one made for another source look the same to the caller.
 * Not a verb: it runs before there is an actor.
 */
export async function authenticateIngestKey(
  db: Db,
  source: string,
  secret: string,
  now: Date,
): Promise<IngestKeyHolder | null> {
  if (secret.length < 16 || secret.length > 200) return null;
  const hash = hashSecret(secret);
  const row = await db.selectFrom('ingest_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
  if (
    !row ||
    row.revoked_at !== null ||
    row.source !== source ||
    !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))
  )
    return null;
  const last = row.last_used_at === null ? 0 : Date.parse(row.last_used_at);
  // Record use at most once a minute, so a busy source does not write on every alert.
  if (now.getTime() - last > 60_000) {
    await db
      .updateTable('ingest_keys')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
  }
  return {
    keyId: row.id,
    source: row.source,
    name: row.name,
    prefix: row.prefix,
    hmacSecret: row.hmac_secret,
  };
}
