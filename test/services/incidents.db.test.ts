import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAudit } from '../../src/services/audit-log.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { editIncident } from '../../src/services/incidents/edit.ts';
import { resolveIncident } from '../../src/services/incidents/resolve.ts';
import { correctUpdate } from '../../src/services/updates/correct.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { listUpdateEdits } from '../../src/services/updates/rows.ts';
import { ChangeBus } from '../../src/store/changes.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

eachDialect(
  test,
  'declaring an incident sets component statuses, impact, history and audit in one go',
  async (db) => {
    const clock = new TestClock();
    const changes = new ChangeBus();
    const seen: string[] = [];
    changes.subscribe((e) => seen.push(`${e.kind}:${e.id ?? ''}`));
    const ctx = testCtx(db, { clock, changes, actor: 'token:carol' });
    const api = await createComponent(ctx, { name: 'API' });
    clock.advance(60_000);

    const incident = await declareIncident(ctx, {
      name: 'API errors',
      body: 'Requests to the API fail for some customers.',
      components: { [api.id]: 'partial_outage' },
    });

    assert.equal(incident.status, 'investigating');
    assert.equal(incident.impact, 'major');
    assert.deepEqual(incident.component_ids, [api.id]);
    assert.equal(incident.components[0]?.status, 'partial_outage');
    assert.equal(incident.incident_updates.length, 1);
    assert.deepEqual(incident.incident_updates[0]?.affected_components, [
      { code: api.id, name: 'API', old_status: 'operational', new_status: 'partial_outage' },
    ]);
    assert.equal(incident.first_external_at, clock.now().toISOString());

    const history = await db
      .selectFrom('component_status_history')
      .selectAll()
      .where('component_id', '=', api.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      history.map((h) => [h.status, h.incident_id]),
      [
        ['operational', null],
        ['partial_outage', incident.id],
      ],
    );
    const audit = await listAudit(testCtx(db), { page: 1, per_page: 50, subject_id: incident.id });
    assert.equal(audit.items[0]?.action, 'incident.declare');
    assert.equal(audit.items[0]?.actor, 'token:carol');
    assert.ok(seen.includes(`incident:${incident.id}`));
  },
);

eachDialect(
  test,
  'an incident moves through its states and resolving restores its components',
  async (db) => {
    const clock = new TestClock();
    const ctx = testCtx(db, { clock });
    const api = await createComponent(ctx, { name: 'API' });
    const incident = await declareIncident(ctx, { name: 'Outage', components: { [api.id]: 'major_outage' } });
    clock.advance(5 * 60_000);
    await postUpdate(ctx, incident.id, { status: 'identified', body: 'Found it.' });
    clock.advance(5 * 60_000);
    await postUpdate(ctx, incident.id, { status: 'monitoring', body: 'Fixed; watching.' });
    clock.advance(5 * 60_000);
    const resolved = await resolveIncident(ctx, incident.id);

    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.impact, 'critical', 'impact keeps the worst seen');
    assert.equal(resolved.components[0]?.status, 'operational');
    assert.equal(resolved.resolved_at, clock.now().toISOString());
    assert.ok(resolved.identified_at && resolved.monitoring_at);
    assert.equal(resolved.incident_updates.length, 4);

    await assert.rejects(
      postUpdate(ctx, incident.id, { status: 'postmortem', body: 'Postmortem.' }).then(() =>
        postUpdate(ctx, incident.id, { status: 'investigating', body: 'again' }),
      ),
      { code: 'transition_not_allowed' },
    );
  },
);

eachDialect(test, 'editing a published update keeps a record of the edit', async (db) => {
  const ctx = testCtx(db);
  const incident = await declareIncident(ctx, { name: 'Slow dashboard', body: 'Teh dashboard is slow.' });
  const update = incident.incident_updates[0];
  assert.ok(update);
  const edited = await correctUpdate(ctx, incident.id, update.id, { body: 'The dashboard is slow.' });
  assert.equal(edited.body, 'The dashboard is slow.');
  const edits = await listUpdateEdits(db, update.id);
  assert.equal(edits.length, 1);
  assert.equal(edits[0]?.old_body, 'Teh dashboard is slow.');
});

eachDialect(test, 'a viewer cannot declare, and nothing is written', async (db) => {
  const viewer = testCtx(db, { role: 'viewer' });
  await assert.rejects(declareIncident(viewer, { name: 'x' }), { code: 'forbidden' });
  const count = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  assert.equal(Number(count?.n), 0);
});

eachDialect(test, 'concurrent updates to one incident are all kept', async (db) => {
  const ctx = testCtx(db);
  const incident = await declareIncident(ctx, { name: 'Busy incident' });
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      postUpdate(ctx, incident.id, { status: i % 2 ? 'identified' : 'monitoring', body: `Update ${i}` }),
    ),
  );
  const updates = await db
    .selectFrom('incident_updates')
    .select('body')
    .where('incident_id', '=', incident.id)
    .execute();
  assert.equal(updates.length, 7);
  const audit = await listAudit(testCtx(db), { page: 1, per_page: 50, subject_id: incident.id });
  assert.equal(audit.total, 7);
});

eachDialect(
  test,
  'clearing an impact override falls back to the worst impact the components implied',
  async (db) => {
    const ctx = testCtx(db);
    const api = await createComponent(ctx, { name: 'API' });
    const incident = await declareIncident(ctx, {
      name: 'Slow API',
      components: { [api.id]: 'partial_outage' },
      impact_override: 'critical',
    });
    assert.equal(incident.impact, 'critical');
    await resolveIncident(ctx, incident.id);
    const cleared = await editIncident(ctx, incident.id, { impact_override: null });
    assert.equal(cleared.impact_override, null);
    assert.equal(cleared.impact, 'major', 'partial outage at its worst, though the API is operational again');
  },
);
