import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listComponents } from '../../src/services/components/queries.ts';
import { isDemo, seedDemoIfEmpty } from '../../src/services/demo.ts';
import { listIncidents } from '../../src/services/incidents/queries.ts';
import { eachDialect, testCtx } from '../helpers/db.ts';
import { applyTestPlan, planConfig } from '../helpers/plan.ts';

eachDialect(
  test,
  'a fresh database gets the labelled demo once: components and one resolved incident',
  async (db) => {
    const ctx = testCtx(db);
    assert.equal(await seedDemoIfEmpty(ctx), true);
    assert.equal(await seedDemoIfEmpty(ctx), false);
    assert.equal(await isDemo(ctx), true);
    assert.equal((await listComponents(db)).length, 4);
    const incidents = await listIncidents(db, { page: 1, per_page: 10 });
    assert.equal(incidents.total, 1);
    assert.equal(incidents.items[0]?.status, 'resolved');
    assert.ok(incidents.items[0]?.incident_updates.every((u) => u.deliver_notifications === false));
    const jobs = await db.selectFrom('outbox_jobs').select('kind').execute();
    assert.deepEqual(jobs, [], 'the demo notifies nobody');
  },
);

eachDialect(test, 'no demo where a plan is in force: its rules would refuse the demo wording', async (db) => {
  const ctx = testCtx(db, { config: planConfig() });
  await applyTestPlan(ctx);
  assert.equal(await seedDemoIfEmpty(ctx), false);
  assert.equal((await listComponents(db)).length, 0);
  assert.equal((await listIncidents(db, { page: 1, per_page: 10 })).total, 0);
  assert.equal(await isDemo(ctx), false);
});
