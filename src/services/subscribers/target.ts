/**
 * Where a webhook, chat or push subscription would send: refused at once
 * when its URL names a private address outright (an IP literal, or a
 * localhost name), unless CRIER_ALLOW_PRIVATE_NETWORK allows it. A name is
 * checked again where it matters, at connect time on the address it
 * resolves to (src/channels/http-client.ts), since DNS can change after
 * the subscription is made.
 */

import { isIP } from 'node:net';
import { privateRange } from '../../channels/net-guard.ts';
import { pushSubscriptionOf } from '../../channels/webpush.ts';
import { CrierError } from '../../domain/errors.ts';
import type { Contact } from './contact.ts';

/** The URL a contact sends to, for the kinds that send to one. */
function targetUrl(contact: Contact): string | null {
  switch (contact.kind) {
    case 'webhook':
    case 'slack':
    case 'teams':
    case 'discord':
      return contact.value;
    case 'push':
      return pushSubscriptionOf(contact.value)?.endpoint ?? null;
    case 'email':
    case 'sms':
    case 'voice':
    case 'fcm':
    case 'apns':
      return null;
  }
}

/** Why a URL's host is not a public address, or null when it may be (or may not: DNS decides later). */
export function privateHost(url: string): string | null {
  const host = new URL(url).hostname.toLowerCase();
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return privateRange(bare);
  // RFC 6761: localhost names are this machine, whatever DNS says.
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.') return 'a localhost name';
  return null;
}

/** Throws a 400 naming the field when the contact's URL points at a private address. */
export function refusePrivateTarget(contact: Contact, allowPrivateNetwork: boolean): void {
  if (allowPrivateNetwork) return;
  const url = targetUrl(contact);
  const why = url === null ? null : privateHost(url);
  if (why === null) return;
  const field = contact.kind;
  throw new CrierError('validation_failed', 'The subscription is not valid.', [
    {
      path: field,
      message: `points at an address Crier does not send to: ${why}; use a public address (or set CRIER_ALLOW_PRIVATE_NETWORK=true on a private install)`,
    },
  ]);
}
