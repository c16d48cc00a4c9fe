import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticate, ensureBootstrapToken, listTokens } from '../../src/services/tokens/tokens.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

eachDialect(
  test,
  'the bootstrap token is created once, refreshed when it changes, and the old one revoked',
  async (db) => {
    const clock = new TestClock();
    const ctx = testCtx(db, { clock });
    await ensureBootstrapToken(ctx, 'first-bootstrap-secret-123');
    await ensureBootstrapToken(ctx, 'first-bootstrap-secret-123');
    assert.equal((await listTokens(db)).length, 1);
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
