/**
 * Password hashes with scrypt from node:crypto (docs/adr/0012-people-and-sessions.md):
 * memory-hard, built in, so no native module to build. Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can rise later and old
 * hashes still verify.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** OWASP's scrypt floor: N=2^17, r=8, p=1 — 128 MiB and a few hundred milliseconds per hash. */
const cost = { N: 2 ** 17, r: 8, p: 1 } as const;
const keyLength = 32;
export const minPasswordLength = 12;
export const maxPasswordLength = 1024;

/**
 * Each hash holds 128 MiB while it runs, so at most two run at once and the
 * rest wait their turn: a burst of sign-ins costs time, not memory.
 */
const maxConcurrent = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  if (running >= maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await deriveNow(password, salt, options);
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next in line; only when nobody waits is it freed.
    if (next) next();
    else running -= 1;
  }
}

function deriveNow(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const { N = cost.N, r = cost.r } = options;
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128 * N * r bytes, or node refuses the parameters.
    scrypt(password, salt, keyLength, { ...options, maxmem: 129 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash of a password nobody has, checked when the email is unknown, so both answers take as long. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(18).toString('base64url'));
  const parts = (stored ?? (await decoy)).split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || !salt || !hash) return false;
  // Only Crier writes these, but a cost past what it would ever choose is refused, not run.
  if (!(Number(n) <= 2 ** 20 && Number(r) <= 32 && Number(p) <= 4)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}
