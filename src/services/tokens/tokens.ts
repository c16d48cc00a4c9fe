/** API tokens: random secrets shown once, stored as SHA-256 hashes, each with a role. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { type Role, roles } from '../../domain/permissions.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import type { ApiTokenRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import { viewOf } from '../view-of.ts';

export const CreateTokenInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(roles),
});
export type CreateTokenInput = z.input<typeof CreateTokenInput>;

export const TokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(roles),
    prefix: z
      .string()
      .describe(
        "sha256: and the start of the secret's SHA-256, to tell tokens apart without showing any of the secret.",
      ),
    created_by: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'Token' });
export type TokenView = z.infer<typeof TokenView>;

/** A new token, with its secret: the only time the secret is shown. */
export const CreatedTokenView = TokenView.extend({
  token: z.string().describe('The secret to send as "Authorization: Bearer <token>"; shown once.'),
}).meta({ id: 'CreatedToken' });
export type CreatedTokenView = z.infer<typeof CreatedTokenView>;

const tokenColumns = [
  'id',
  'name',
  'role',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

function tokenView(row: ApiTokenRow): TokenView {
  return viewOf(TokenView, tokenColumns, row, { prefix: tokenFingerprint(row.hash) });
}

/** SHA-256 of a secret, hex: how API tokens and ingest keys are stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * How a token is shown in lists and the audit log: the start of its hash,
 * not of its secret, so a screenshot or a log gives away no part of the
 * secret. Whoever holds a token finds it with `printf %s "$TOKEN" | sha256sum`.
 */
export function tokenFingerprint(hash: string): string {
  return `sha256:${hash.slice(0, 8)}`;
}

/** A new random secret: 256 bits, URL-safe, with a prefix that secret scanners can look for. */
export function newSecret(prefix = 'crier_'): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export async function createToken(ctx: Ctx, raw: CreateTokenInput): Promise<CreatedTokenView> {
  authorize(ctx, 'token.manage');
  const input = CreateTokenInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const token = newSecret();
    const hash = hashSecret(token);
    const row: ApiTokenRow = {
      id: newId(),
      name: input.name,
      role: input.role,
      hash,
      prefix: tokenFingerprint(hash),
      bootstrap: 0,
      created_by: tx.actor.id,
      created_at: tx.clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await tx.db.insertInto('api_tokens').values(row).execute();
    const view = tokenView(row);
    await audit(tx, { action: 'token.create', subjectType: 'token', subjectId: row.id, after: view });
    return { ...view, token };
  });
}

export async function revokeToken(ctx: Ctx, id: string): Promise<TokenView> {
  authorize(ctx, 'token.manage');
  return withTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new CrierError('token_not_found', `No token has the id ${id}.`, { id });
    if (row.revoked_at !== null) return tokenView(row);
    const revoked = { ...row, revoked_at: tx.clock.now().toISOString() };
    await tx.db
      .updateTable('api_tokens')
      .set({ revoked_at: revoked.revoked_at })
      .where('id', '=', id)
      .execute();
    await audit(tx, {
      action: 'token.revoke',
      subjectType: 'token',
      subjectId: id,
      before: tokenView(row),
      after: tokenView(revoked),
    });
    return tokenView(revoked);
  });
}

export async function listTokens(ctx: Ctx): Promise<TokenView[]> {
  authorize(ctx, 'token.manage');
  const rows = await ctx.db.selectFrom('api_tokens').selectAll().orderBy('created_at').execute();
  return rows.map(tokenView);
}

export interface Authenticated {
  tokenId: string;
  name: string;
  role: Role;
}

/** Finds the live token for a presented secret. Not a verb: it runs before there is an actor. */
export async function authenticate(db: Db, secret: string, now: Date): Promise<Authenticated | null> {
  if (secret.length < 16 || secret.length > 200) return null;
  const hash = hashSecret(secret);
  const row = await db.selectFrom('api_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  // The lookup is by hash, so its timing says nothing about the secret; compare anyway for clarity.
  if (!row || row.revoked_at !== null || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash)))
    return null;
  const last = row.last_used_at === null ? 0 : Date.parse(row.last_used_at);
  // Record use at most once a minute, so reads do not turn into writes.
  if (now.getTime() - last > 60_000) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
  }
  return { tokenId: row.id, name: row.name, role: row.role };
}

/**
 * Makes `secret` (from CRIER_ADMIN_TOKEN) a live admin token: created on the
 * first start, refreshed when the variable changes, the previous one revoked.
 */
export async function ensureBootstrapToken(ctx: Ctx, secret: string): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const hash = hashSecret(secret);
    const now = tx.clock.now().toISOString();
    const current = await tx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    if (current && current.revoked_at === null && current.role === 'admin') return;
    const stale = await tx.db
      .selectFrom('api_tokens')
      .select('id')
      .where('bootstrap', '=', 1)
      .where('revoked_at', 'is', null)
      .execute();
    for (const { id } of stale) {
      await tx.db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
      await audit(tx, {
        action: 'token.revoke',
        subjectType: 'token',
        subjectId: id,
        after: { reason: 'bootstrap token replaced' },
      });
    }
    if (current) {
      await tx.db
        .updateTable('api_tokens')
        .set({ revoked_at: null, role: 'admin', bootstrap: 1 })
        .where('id', '=', current.id)
        .execute();
      await audit(tx, { action: 'token.bootstrap', subjectType: 'token', subjectId: current.id });
      return;
    }
    const id = newId();
    await tx.db
      .insertInto('api_tokens')
      .values({
        id,
        name: 'bootstrap admin (CRIER_ADMIN_TOKEN)',
        role: 'admin',
        hash,
        prefix: tokenFingerprint(hash),
        bootstrap: 1,
        created_by: 'system',
        created_at: now,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    await audit(tx, { action: 'token.bootstrap', subjectType: 'token', subjectId: id });
  });
}
