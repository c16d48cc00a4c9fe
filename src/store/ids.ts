import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A 12-character lowercase id, like Statuspage's (about 62 bits of randomness). */
export function newId(): string {
  if (offset + 12 > pool.length) {
    pool = randomBytes(12 * 1024);
    offset = 0;
  }
  let id = '';
  for (const byte of pool.subarray(offset, offset + 12)) id += alphabet[byte % 36];
  offset += 12;
  return id;
}

// Random bytes drawn in bulk: a fan-out makes an id per delivery, and one call per id costs more than the id.
let pool = Buffer.alloc(0);
let offset = 0;
