/**
 * Who may read an audience's private page, as the plan says
 * (`audiences.NAME.private_page`): a subscriber of the audience through their
 * signed link (then the page's cookie), a person signed in to the console,
 * or a client address in the allowed networks. Its feeds and API also open
 * with the audience's token, which feed readers and scripts carry.
 */
import ipaddr from 'ipaddr.js';
import { type PrivatePageSpec, privatePageOf } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import { currentPlan } from '../plan/current.ts';
import { resolveSession } from '../users/sessions.ts';
import {
  audienceFeedToken,
  openPageLink,
  PAGE_LINK_DAYS,
  pageLinkKey,
  sameSecret,
  signPageLink,
} from './links.ts';

export interface PageRequest {
  /** The page cookie's value: a link signed for a subscriber. */
  cookie: string | null;
  /** The console's session secret, when the reader is signed in. */
  session: string | null;
  /** The `?token=` or bearer token, for feeds and the API. */
  token: string | null;
  /** The client's address (after CRIER_TRUST_PROXY). */
  address: string;
}

export type PageAccess =
  | { ok: true; via: 'link' | 'staff' | 'network' | 'token'; renewed?: { value: string; expiresAt: Date } }
  | { ok: false };

/** The plan's private page for an audience, or null when it has none (a 404 for the reader). */
export async function privatePage(db: Db, audience: string): Promise<PrivatePageSpec | null> {
  return privatePageOf(await currentPlan(db).catch(() => null), audience);
}

function inNetworks(address: string, networks: readonly string[]): boolean {
  if (networks.length === 0 || !ipaddr.isValid(address)) return false;
  // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) counts as its IPv4 address.
  const parsed = ipaddr.process(address);
  return networks.some((n) => {
    const range = ipaddr.parseCIDR(n.includes('/') ? n : `${n}/${n.includes(':') ? 128 : 32}`);
    if (parsed.kind() === range[0].kind()) return parsed.match(range);
    return parsed instanceof ipaddr.IPv4 && parsed.toIPv4MappedAddress().match(range);
  });
}

/** A renewal once a day is enough: the cookie then always holds a link with 29 days or more left. */
const RENEW_AFTER_MS = 86_400_000;

export async function pageAccess(
  db: Db,
  audience: string,
  page: PrivatePageSpec,
  req: PageRequest,
  now: Date,
  options: { document: boolean },
): Promise<PageAccess> {
  if (
    options.document &&
    req.token !== null &&
    sameSecret(req.token, await audienceFeedToken(db, audience))
  ) {
    return { ok: true, via: 'token' };
  }
  if (page.networks.length > 0 && inNetworks(req.address, page.networks)) return { ok: true, via: 'network' };
  if (page.links && req.cookie !== null) {
    const opened = await openPageLink(db, audience, req.cookie, now);
    if (opened) {
      if (now.getTime() - opened.issuedAt.getTime() < RENEW_AFTER_MS) return { ok: true, via: 'link' };
      const value = signPageLink(await pageLinkKey(db), opened.subscriberId, now);
      return {
        ok: true,
        via: 'link',
        renewed: { value, expiresAt: new Date(now.getTime() + PAGE_LINK_DAYS * 86_400_000) },
      };
    }
  }
  if (page.staff && req.session !== null && (await resolveSession(db, req.session, now)) !== null) {
    return { ok: true, via: 'staff' };
  }
  return { ok: false };
}
