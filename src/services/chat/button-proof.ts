/**
 * The install's proof on an approval request's buttons, for a chat service
 * that does not sign the requests a click sends (Mattermost): an HMAC of the
 * channel and the draft the buttons name, keyed by a secret made once at
 * random and kept in the database (so every process of the install agrees,
 * and rotating CRIER_SECRET_KEY leaves buttons already posted working). A
 * request whose proof does not hold is refused: nobody can approve a draft
 * by posting to the interaction URL without a button Crier posted for it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/db.ts';
import { installKey } from '../install-keys.ts';

export function buttonKey(db: Db): Promise<Buffer> {
  return installKey(db, 'chatops.button_key');
}

/** The proof a channel's buttons carry for one draft (`<incident id>:<update id>`). */
export function buttonProof(key: Buffer, channel: string, value: string): string {
  return createHmac('sha256', key).update(`decide:${channel}:${value}`).digest('base64url');
}

/** Whether a proof is the install's for this channel and draft, compared in constant time. */
export function provesButton(key: Buffer, channel: string, value: string, proof: string): boolean {
  const want = Buffer.from(buttonProof(key, channel, value));
  const given = Buffer.from(proof);
  return want.length === given.length && timingSafeEqual(want, given);
}
