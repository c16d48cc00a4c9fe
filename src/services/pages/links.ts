/**
 * Private-page links: each subscriber of an audience with a private page
 * reaches it through a link signed for them, valid for 30 days. A visit
 * renews it (the page's cookie holds a fresh one); revoking stops every link
 * signed for the subscriber until then. The signing key is random, made once
 * per installation and kept in the database, so every process agrees and no
 * configuration is needed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CrierError } from '../../domain/errors.ts';
import { privatePageOf } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import type { SubscriberRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { getSetting } from '../settings.ts';
import { requireSubscriber } from '../subscribers/queries.ts';
import { withTransaction } from '../transaction.ts';

export const PAGE_LINK_DAYS = 30;
const PAGE_LINK_MS = PAGE_LINK_DAYS * 86_400_000;
const KEY_SETTING = 'page_link_key';

/** The installation's signing key, made on first use; concurrent first uses agree on the one stored. */
export async function pageLinkKey(db: Db): Promise<Buffer> {
  const stored = await getSetting(db, KEY_SETTING);
  if (stored) return Buffer.from(stored, 'base64url');
  await db
    .insertInto('settings')
    .values({ key: KEY_SETTING, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const made = await getSetting(db, KEY_SETTING);
  if (!made) throw new Error('the page link key was not stored');
  return Buffer.from(made, 'base64url');
}

function mac(key: Buffer, purpose: string, ...parts: string[]): string {
  return createHmac('sha256', key)
    .update([purpose, ...parts].join('\n'))
    .digest('base64url')
    .slice(0, 32);
}

/** `SUBSCRIBER.ISSUED_MS.MAC`: who it is for, when it was signed, and the proof. */
export function signPageLink(key: Buffer, subscriberId: string, issuedAt: Date): string {
  const issued = String(issuedAt.getTime());
  return `${subscriberId}.${issued}.${mac(key, 'crier page link', subscriberId, issued)}`;
}

/** An audience's feed and API token: anyone who reads its private page may have it, no one else. */
export async function audienceFeedToken(db: Db, audience: string): Promise<string> {
  return mac(await pageLinkKey(db), 'crier audience feed', audience);
}

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface OpenedLink {
  subscriberId: string;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * The subscriber a link opens `audience`'s page for, or null: a bad
 * signature, an expired or revoked link, or a subscriber who left or
 * belongs to another audience.
 */
export async function openPageLink(
  db: Db,
  audience: string,
  token: string,
  now: Date,
): Promise<OpenedLink | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [subscriberId = '', issued = '', proof = ''] = parts;
  if (!/^\d{1,15}$/.test(issued) || subscriberId.length === 0 || subscriberId.length > 64) return null;
  if (!sameSecret(proof, mac(await pageLinkKey(db), 'crier page link', subscriberId, issued))) return null;
  const issuedAt = new Date(Number(issued));
  const expiresAt = new Date(issuedAt.getTime() + PAGE_LINK_MS);
  // A minute's grace for clocks that differ between processes.
  if (issuedAt.getTime() > now.getTime() + 60_000 || expiresAt <= now) return null;
  const row = await db
    .selectFrom('subscribers')
    .select(['audience', 'state', 'page_links_from'])
    .where('id', '=', subscriberId)
    .executeTakeFirst();
  if (!row || row.audience !== audience || row.state !== 'confirmed') return null;
  if (row.page_links_from !== null && issuedAt.getTime() < Date.parse(row.page_links_from)) return null;
  return { subscriberId, issuedAt, expiresAt };
}

/** The address of a subscriber's private page, signed now. */
async function pageLinkFor(
  db: Db,
  publicUrl: string,
  subscriber: Pick<SubscriberRow, 'id' | 'audience'>,
  now: Date,
): Promise<{ url: string; expires_at: string }> {
  const token = signPageLink(await pageLinkKey(db), subscriber.id, now);
  return {
    url: `${publicUrl}/a/${subscriber.audience}/?k=${token}`,
    expires_at: new Date(now.getTime() + PAGE_LINK_MS).toISOString(),
  };
}

/** `url`, on a private page, with a link signed for the subscriber: opening it sets the page's cookie. */
export async function signedPageUrl(db: Db, subscriberId: string, url: string, now: Date): Promise<string> {
  const token = signPageLink(await pageLinkKey(db), subscriberId, now);
  return `${url}${url.includes('?') ? '&' : '?'}k=${token}`;
}

async function requirePagedSubscriber(ctx: Ctx, id: string): Promise<SubscriberRow> {
  const row = await requireSubscriber(ctx.db, id);
  const plan = await currentPlan(ctx.db);
  const page = privatePageOf(plan, row.audience);
  if (page === null || !page.links) {
    throw new CrierError(
      'audience_not_found',
      `The ${row.audience} audience has no private page that opens by link (audiences.${row.audience}.private_page in the plan).`,
      { audience: row.audience },
    );
  }
  return row;
}

/** A fresh link to the subscriber's private page (valid 30 days), for the team to send by hand. */
export async function issuePageLink(ctx: Ctx, id: string): Promise<{ url: string; expires_at: string }> {
  authorize(ctx, 'subscriber.write');
  return withTransaction(ctx, async (tx) => {
    const row = await requirePagedSubscriber(tx, id);
    const link = await pageLinkFor(tx.db, tx.config.publicUrl, row, tx.clock.now());
    await audit(tx, {
      action: 'subscriber.page_link',
      subjectType: 'subscriber',
      subjectId: id,
      after: { audience: row.audience, expires_at: link.expires_at },
    });
    return link;
  });
}

/** Stops every private-page link signed for the subscriber until now; links signed later work. */
export async function revokePageLinks(ctx: Ctx, id: string): Promise<{ revoked_before: string }> {
  authorize(ctx, 'subscriber.write');
  return withTransaction(ctx, async (tx) => {
    const row = await requireSubscriber(tx.db, id);
    // One millisecond on, so a link signed in this very instant is revoked too.
    const from = new Date(tx.clock.now().getTime() + 1).toISOString();
    await tx.db.updateTable('subscribers').set({ page_links_from: from }).where('id', '=', id).execute();
    await audit(tx, {
      action: 'subscriber.page_links_revoke',
      subjectType: 'subscriber',
      subjectId: id,
      before: { audience: row.audience, page_links_from: row.page_links_from },
      after: { page_links_from: from },
    });
    return { revoked_before: from };
  });
}
