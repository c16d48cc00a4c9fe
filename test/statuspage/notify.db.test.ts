/**
 * Two Crier processes on one PostgreSQL (two apps, each with its own pool
 * and listener): a change through one refreshes the other's status page.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { openDatabase } from '../../src/store/db.ts';
import { dialects, openTestDb, silentLog, testConfig, testCtx } from '../helpers/db.ts';

const pg = dialects.find((d) => d.name === 'postgres');

test('a change made through one process refreshes the status page of another (LISTEN/NOTIFY)', {
  skip: !pg && 'needs CRIER_TEST_DATABASE_URL',
}, async () => {
  if (!pg) return;
  const t = await openTestDb(pg);
  const otherDb = openDatabase(pg.url, { schema: t.schema, poolSize: 2 });
  const config = testConfig();
  const a = await createApp(config, { db: t.db, timers: false, log: silentLog, listenUrl: pg.url });
  const b = await createApp(config, { db: otherDb, timers: false, log: silentLog, listenUrl: pg.url });
  try {
    const { token } = await createToken(testCtx(t.db), { name: 'lead', role: 'incident_lead' });
    const before = await b.server.inject({ url: '/api/v2/status.json' });
    assert.equal(before.json().status.indicator, 'none');
    const res = await a.server.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'Replica lag', body: 'Investigating.', impact_override: 'minor' },
    });
    assert.equal(res.statusCode, 201);
    let indicator = 'none';
    for (let i = 0; i < 330 && indicator === 'none'; i++) {
      await new Promise((r) => setTimeout(r, 30));
      indicator = (await b.server.inject({ url: '/api/v2/status.json' })).json().status.indicator;
    }
    assert.equal(indicator, 'minor', 'the other process saw the change without a request of its own');
  } finally {
    await b.close();
    await a.close();
    await otherDb.destroy();
    await t.close();
  }
});
