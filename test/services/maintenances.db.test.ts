import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createComponent } from '../../src/services/components/create.ts';
import { getComponent } from '../../src/services/components/queries.ts';
import { advanceMaintenances, moveMaintenance } from '../../src/services/maintenances/move.ts';
import { getMaintenance } from '../../src/services/maintenances/queries.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

eachDialect(test, 'the clock starts and completes a maintenance window at its times', async (db) => {
  const clock = new TestClock('2026-03-01T08:00:00.000Z');
  const ctx = testCtx(db, { clock });
  const database = await createComponent(ctx, { name: 'Database' });
  const m = await scheduleMaintenance(ctx, {
    name: 'Upgrade',
    scheduled_for: '2026-03-01T09:00:00Z',
    scheduled_until: '2026-03-01T10:00:00Z',
    component_ids: [database.id],
  });
  assert.equal(await advanceMaintenances(ctx), 0);

  clock.set('2026-03-01T09:00:00.000Z');
  assert.equal(await advanceMaintenances(ctx), 1);
  assert.equal((await getMaintenance(db, m.id)).status, 'in_progress');
  assert.equal((await getComponent(db, database.id)).status, 'under_maintenance');

  clock.set('2026-03-01T10:00:01.000Z');
  assert.equal(await advanceMaintenances(ctx), 1);
  const done = await getMaintenance(db, m.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.sequence, 2);
  assert.equal(done.updates.length, 3);
  assert.equal((await getComponent(db, database.id)).status, 'operational');
  const audit = await db
    .selectFrom('audit_log')
    .select(['action', 'actor'])
    .where('subject_id', '=', m.id)
    .orderBy('id')
    .execute();
  assert.deepEqual(audit, [
    { action: 'maintenance.schedule', actor: 'test:alice' },
    { action: 'maintenance.in_progress', actor: 'system' },
    { action: 'maintenance.completed', actor: 'system' },
  ]);
});

eachDialect(
  test,
  'a window wholly in the past is started and completed in one tick, each move recorded',
  async (db) => {
    const clock = new TestClock('2026-03-02T00:00:00.000Z');
    const ctx = testCtx(db, { clock });
    const m = await scheduleMaintenance(ctx, {
      name: 'Old',
      scheduled_for: '2026-03-01T09:00:00Z',
      scheduled_until: '2026-03-01T10:00:00Z',
    });
    assert.equal(await advanceMaintenances(ctx), 2);
    assert.equal((await getMaintenance(db, m.id)).status, 'completed');
  },
);

eachDialect(
  test,
  'a manual window is left alone by the clock, and a component in an outage stays in it',
  async (db) => {
    const clock = new TestClock('2026-03-01T08:00:00.000Z');
    const ctx = testCtx(db, { clock });
    const api = await createComponent(ctx, { name: 'API', status: 'major_outage' });
    const m = await scheduleMaintenance(ctx, {
      name: 'Manual',
      scheduled_for: '2026-03-01T07:00:00Z',
      scheduled_until: '2026-03-01T09:00:00Z',
      component_ids: [api.id],
      scheduled_auto_in_progress: false,
    });
    assert.equal(await advanceMaintenances(ctx), 0);
    await moveMaintenance(ctx, m.id, 'in_progress');
    assert.equal(
      (await getComponent(db, api.id)).status,
      'major_outage',
      'an outage is not hidden by maintenance',
    );
    await assert.rejects(moveMaintenance(ctx, m.id, 'scheduled'), { code: 'transition_not_allowed' });
    await assert.rejects(moveMaintenance(testCtx(db, { role: 'support_lead' }), m.id, 'completed'), {
      code: 'forbidden',
    });
  },
);
