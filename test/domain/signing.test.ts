/** The keyring: signatures per purpose, previous keys that verify and never sign, tampering refused. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { Keyring } from '../../src/domain/signing.ts';

const oldKey = 'old-secret-key-0123456789';
const newKey = 'new-secret-key-9876543210';

function ring(secretKey: string | undefined, previous: string[] = []): Keyring {
  const keyring = Keyring.of({ secretKey, previousSecretKeys: previous });
  assert.ok(keyring);
  return keyring;
}

test('no secret key, no keyring', () => {
  assert.equal(Keyring.of({ secretKey: undefined, previousSecretKeys: [] }), null);
});

test('a signature is HMAC-SHA256 under the key derived for its purpose, 16 bytes in base64url', () => {
  const derived = createHmac('sha256', newKey).update('crier session').digest();
  const expected = createHmac('sha256', derived).update('abc').digest().subarray(0, 16).toString('base64url');
  assert.equal(ring(newKey).sign('session', 'abc'), expected);
  assert.deepEqual(
    ring(newKey, [oldKey]).keysFor('feedback links')[0],
    createHmac('sha256', newKey).update('crier feedback links').digest(),
  );
});

test('after a rotation, what the old key sealed still opens; new seals use the new key only', () => {
  const before = ring(oldKey).seal('session', 'secret-1');
  const after = ring(newKey, [oldKey]);
  assert.equal(after.unseal('session', before), 'secret-1');
  const fresh = after.seal('session', 'secret-2');
  assert.equal(ring(newKey).unseal('session', fresh), 'secret-2');
  assert.equal(ring(oldKey).unseal('session', fresh), null, 'the previous key signs nothing new');
  // Once the old key is dropped from the previous list, what it sealed is refused.
  assert.equal(ring(newKey).unseal('session', before), null);
});

test('a seal for one purpose does not open another; tampered data and signatures are refused', () => {
  const keyring = ring(newKey, [oldKey]);
  const sealed = keyring.seal('session', 'secret-1');
  assert.equal(keyring.unseal('link', sealed), null);
  assert.equal(keyring.unseal('session', sealed.replace('secret-1', 'secret-2')), null);
  const signature = sealed.slice(sealed.lastIndexOf('.') + 1);
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  assert.equal(keyring.unseal('session', `secret-1.${flipped}`), null);
  for (const bad of ['', '.', 'secret-1', 'secret-1.', `.${signature}`, `secret-1.${signature}x`])
    assert.equal(keyring.unseal('session', bad), null, bad);
});
