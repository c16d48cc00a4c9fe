/**
 * What CRIER_SECRET_KEY signs, and how it can change (docs/adr/0023-keys-that-rotate.md).
 * Each use derives its own key from the secret, HMAC-SHA256(secret, "crier <purpose>"),
 * so a signature made for one purpose never verifies for another. New signatures use
 * the current key; the previous keys (CRIER_SECRET_KEY_PREVIOUS) still verify what they
 * signed, so links and sessions already issued outlive a rotation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The secrets as configured: the current one first, then the previous ones, newest first. */
export interface SecretKeys {
  readonly secretKey: string | undefined;
  readonly previousSecretKeys: readonly string[];
}

/** Characters of a signature: 16 bytes of HMAC-SHA256 in base64url (128 bits). */
const signatureLength = 22;

export class Keyring {
  readonly #secrets: readonly string[];
  readonly #derived = new Map<string, readonly Buffer[]>();

  private constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
  }

  /** The keyring of a configuration; null when no CRIER_SECRET_KEY is set. */
  static of(keys: SecretKeys): Keyring | null {
    if (!keys.secretKey) return null;
    return new Keyring([keys.secretKey, ...keys.previousSecretKeys]);
  }

  /**
   * The keys for one purpose, the current one first: for a use that keeps its own format
   * (signing with the first, verifying with any).
   */
  keysFor(purpose: string): readonly Buffer[] {
    let keys = this.#derived.get(purpose);
    if (!keys) {
      keys = this.#secrets.map((secret) => createHmac('sha256', secret).update(`crier ${purpose}`).digest());
      this.#derived.set(purpose, keys);
    }
    return keys;
  }

  /** A signature of `data` for `purpose`, with the current key. */
  sign(purpose: string, data: string): string {
    const [current] = this.keysFor(purpose);
    if (!current) throw new Error('a keyring always has a current key');
    return mac(current, data);
  }

  /** Whether `signature` is one of `data` for `purpose` by the current key or a previous one. */
  verify(purpose: string, data: string, signature: string): boolean {
    if (signature.length !== signatureLength) return false;
    const given = Buffer.from(signature);
    let ok = false;
    // Every key is tried, so the time taken does not tell which one matched.
    for (const key of this.keysFor(purpose)) {
      const expected = Buffer.from(mac(key, data));
      if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
    }
    return ok;
  }

  /** `data.signature`: a value that carries its own signature. */
  seal(purpose: string, data: string): string {
    return `${data}.${this.sign(purpose, data)}`;
  }

  /** The data of a sealed value whose signature verifies; null otherwise. */
  unseal(purpose: string, sealed: string): string | null {
    const dot = sealed.lastIndexOf('.');
    if (dot <= 0) return null;
    const data = sealed.slice(0, dot);
    return this.verify(purpose, data, sealed.slice(dot + 1)) ? data : null;
  }
}

function mac(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest().subarray(0, 16).toString('base64url');
}
