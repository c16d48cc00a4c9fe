/**
 * The tables of people and access: API tokens, users, their sessions and
 * failed sign-ins. Part of the one schema in schema.ts.
 */
import type { Role } from '../domain/permissions.ts';

export interface ApiTokenTable {
  id: string;
  name: string;
  role: Role;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  hash: string;
  /** `sha256:` and the start of the secret's hash, to recognise it in lists (never part of the secret). */
  prefix: string;
  bootstrap: number;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface UserTable {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (src/services/users/password.ts); null until the invitation is used. */
  password_hash: string | null;
  /** SHA-256 of the one-time invitation secret; null once used. */
  invitation_hash: string | null;
  invitation_expires_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  /** SHA-256 of the cookie's secret, hex. */
  hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  /** The absolute expiry; the idle one is counted from last_seen_at. */
  expires_at: string;
  address: string | null;
}

export interface SignInFailureTable {
  /** `account:<email>` or `address:<ip>`. */
  key: string;
  window_start: string;
  count: number;
}
