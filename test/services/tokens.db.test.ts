import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import {
  authenticate,
  createToken,
  ensureBootstrapToken,
  listTokens,
} from '../../src/services/tokens/tokens.ts';
import * as fingerprints from '../../src/store/migrations/0007_token_fingerprints.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

eachDialect(
  test,
  'the bootstrap token is created once, refreshed when it changes, and the old one revoked',
  async (db) => {
    const clock = new TestClock();
    const ctx = testCtx(db, { clock });
    await ensureBootstrapToken(ctx, 'first-bootstrap-secret-123');
    await ensureBootstrapToken(ctx, 'first-bootstrap-secret-123');
    assert.equal((await listTokens(testCtx(db))).length, 1);
    assert.equal((await authenticate(db, 'first-bootstrap-secret-123', clock.now()))?.role, 'admin');

    await ensureBootstrapToken(ctx, 'second-bootstrap-secret-456');
    assert.equal(await authenticate(db, 'first-bootstrap-secret-123', clock.now()), null);
    assert.equal((await authenticate(db, 'second-bootstrap-secret-456', clock.now()))?.role, 'admin');
    const stored = await db.selectFrom('api_tokens').select('hash').execute();
    for (const { hash } of stored) assert.match(hash, /^[0-9a-f]{64}$/, 'only hashes are stored');
  },
);

eachDialect(test, 'the audit log refuses changes and deletions', async (db) => {
  const ctx = testCtx(db);
  await ensureBootstrapToken(ctx, 'some-bootstrap-secret-789');
  await assert.rejects(db.updateTable('audit_log').set({ actor: 'mallory' }).execute(), /append-only/);
  await assert.rejects(db.deleteFrom('audit_log').execute(), /append-only/);
});

eachDialect(
  test,
  'a token is shown by the start of its hash, never by the start of its secret',
  async (db) => {
    const ctx = testCtx(db);
    const created = await createToken(ctx, { name: 'ci', role: 'viewer' });
    const hash = createHash('sha256').update(created.token).digest('hex');
    assert.equal(created.prefix, `sha256:${hash.slice(0, 8)}`);
    await ensureBootstrapToken(ctx, 'bootstrap-secret-0123456789');
    for (const token of await listTokens(testCtx(db))) {
      assert.match(token.prefix, /^sha256:[0-9a-f]{8}$/);
      assert.ok(!created.token.includes(token.prefix.slice(7)), 'no run of the secret');
    }
    const stored = await db.selectFrom('api_tokens').select(['prefix', 'hash']).execute();
    for (const row of stored)
      assert.equal(row.prefix, `sha256:${row.hash.slice(0, 8)}`, 'nor in the database');

    // Rows written before: the migration rewrites what was the secret's start.
    await db
      .updateTable('api_tokens')
      .set({ prefix: created.token.slice(0, 10) })
      .execute();
    await fingerprints.up(db as unknown as Kysely<unknown>);
    const rewritten = await db.selectFrom('api_tokens').select(['prefix', 'hash']).execute();
    for (const row of rewritten) assert.equal(row.prefix, `sha256:${row.hash.slice(0, 8)}`);
  },
);
