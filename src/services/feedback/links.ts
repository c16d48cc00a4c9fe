/**
 * What makes a feedback link: a key of the install's own, the signed code
 * a subscriber's message carries, and the keyed hash a page vote's address
 * is kept as.
 *
 * A subscriber's code names the update and the subscriber and is signed, so
 * it cannot be guessed or turned into a vote for someone else; it is short
 * enough for an SMS (`/f/CODE`). A page vote's token is the update's id:
 * the page shows it to everyone, and its votes are limited per address.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Db } from '../../store/db.ts';
import { installKey } from '../install-keys.ts';

/**
 * The key feedback links are signed with: the install's own (src/services/install-keys.ts), so a
 * change of CRIER_SECRET_KEY (rotation, docs/operations.md) leaves every link already sent working.
 */
export function feedbackKey(db: Db): Promise<Buffer> {
  return installKey(db, 'feedback.signing_key');
}

const idPattern = /^[0-9a-z]{1,40}$/;

function mac(key: Buffer, updateId: string, subscriberId: string): string {
  return createHmac('sha256', key).update(`vote:${updateId}:${subscriberId}`).digest('hex').slice(0, 16);
}

/** The code in a subscriber's feedback link for one update. */
export function feedbackCode(key: Buffer, updateId: string, subscriberId: string): string {
  return `${updateId}-${subscriberId}-${mac(key, updateId, subscriberId)}`;
}

export type FeedbackToken =
  | { readonly kind: 'subscriber'; readonly updateId: string; readonly subscriberId: string }
  | { readonly kind: 'page'; readonly updateId: string };

/** What a token in a feedback address stands for; null when it is not one Crier made. */
export function readFeedbackToken(key: Buffer, token: string): FeedbackToken | null {
  if (token.length > 100) return null;
  const parts = token.split('-');
  if (parts.length === 1) return idPattern.test(token) ? { kind: 'page', updateId: token } : null;
  const [updateId = '', subscriberId = '', given = ''] = parts;
  if (parts.length !== 3 || !idPattern.test(updateId) || !idPattern.test(subscriberId)) return null;
  const expected = Buffer.from(mac(key, updateId, subscriberId));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return { kind: 'subscriber', updateId, subscriberId };
}

/**
 * An address as a page vote keeps it: a keyed hash, never the address. An IPv6 address counts
 * by its /64, the block one host is usually given, so a host cannot vote again from each of its
 * addresses.
 */
export function addressHash(key: Buffer, address: string): string {
  return createHmac('sha256', key)
    .update(`address:${networkOf(address)}`)
    .digest('hex')
    .slice(0, 32);
}

function networkOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${ip.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
