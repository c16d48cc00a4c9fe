/**
 * `crier db copy`: a database filled through the services is copied into an
 * empty one of either dialect, row for row, and the copy goes on working
 * (its sequences continue after the copied rows); a target that is not
 * empty is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../src/domain/alerts.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { resolveIncident } from '../../src/services/incidents/resolve.ts';
import { createIngestKey } from '../../src/services/ingest/keys.ts';
import { receiveAlerts } from '../../src/services/ingest/receive.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { addSubscriber } from '../../src/services/subscribers/subscribe.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { CopyError, copyDatabase } from '../../src/store/copy.ts';
import type { Db } from '../../src/store/db.ts';
import type { Database } from '../../src/store/schema.ts';
import { dialects, openTestDb, TestClock, testCtx } from '../helpers/db.ts';
import { applyTestPlan, people } from '../helpers/plan.ts';

const tables: (keyof Database)[] = [
  'settings',
  'api_tokens',
  'component_groups',
  'components',
  'component_status_history',
  'incidents',
  'incident_components',
  'incident_updates',
  'update_edits',
  'incident_roles',
  'update_decisions',
  'maintenances',
  'maintenance_components',
  'maintenance_updates',
  'subscribers',
  'subscriber_components',
  'outbox_jobs',
  'deliveries',
  'plan_versions',
  'ingest_keys',
  'alerts',
  'ingest_payloads',
  'runbook_runs',
  'runbook_run_alerts',
  'chat_rooms',
  'audit_log',
];

/** A database with a row in most tables, written the way Crier writes them. */
async function fill(db: Db): Promise<void> {
  const clock = new TestClock('2026-01-15T10:00:00.000Z');
  const { admin, ivy, carol } = people(db, clock);
  await applyTestPlan(admin);
  await createToken(admin, { name: 'ops', role: 'responder' });
  const key = await createIngestKey(admin, { source: 'alertmanager' });
  const firing: Alert = {
    source: 'alertmanager',
    fingerprint: 'f1',
    status: 'firing',
    title: 'API down',
    severity: 'critical',
    labels: { team: 'api' },
    annotations: {},
    startsAt: '2026-01-15T09:59:00.000Z',
    endsAt: null,
    link: null,
  };
  const payload = {
    keyId: key.id,
    source: 'alertmanager' as const,
    contentType: 'application/json',
    body: Buffer.from('{}'),
  };
  await receiveAlerts(admin, payload, [firing]);
  const api = await createComponent(admin, { name: 'API' });
  await addSubscriber(
    admin,
    { email: 'ann@example.com', component_ids: [api.id] },
    new Set(['email', 'webhook']),
  );
  const incident = await declareIncident(ivy, {
    name: 'Saving fails',
    severity: 'SEV1',
    body: 'Saving changes fails for some customers. Next update by 10:30 UTC.',
    components: { [api.id]: 'major_outage' },
  });
  const draft = incident.incident_updates[0];
  assert.ok(draft);
  clock.advance(60_000);
  await approveUpdate(carol, incident.id, draft.id);
  clock.advance(60_000);
  const resolving = await resolveIncident(ivy, incident.id, { body: 'Saving works again for everyone.' });
  const last = resolving.incident_updates.find((u) => u.state === 'pending_approval');
  if (last) await approveUpdate(carol, incident.id, last.id);
  await scheduleMaintenance(admin, {
    name: 'Database upgrade',
    scheduled_for: '2026-01-20T02:00:00.000Z',
    scheduled_until: '2026-01-20T03:00:00.000Z',
    component_ids: [api.id],
  });
}

async function everyRow(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = await db.selectFrom(table).selectAll().execute();
    out[table] = rows
      .map((r) =>
        JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))),
      )
      .sort();
  }
  return out;
}

const pairs = dialects.flatMap((to) =>
  dialects.map((from) => ({ from, to })).filter((p) => p.from.name === 'sqlite' || p.to.name === 'sqlite'),
);

for (const { from, to } of pairs) {
  test(`a database is copied row for row and goes on working [${from.name} to ${to.name}]`, async () => {
    const source = await openTestDb(from);
    const target = await openTestDb(to);
    try {
      await fill(source.db);
      const counts = await copyDatabase(source.db, target.db);
      const before = await everyRow(source.db);
      assert.deepEqual(await everyRow(target.db), before);
      for (const table of [
        'incidents',
        'incident_updates',
        'update_decisions',
        'audit_log',
        'plan_versions',
        'alerts',
        'ingest_payloads',
      ]) {
        assert.ok((counts[table] ?? 0) > 0, `${table} had rows to copy`);
      }

      // The copy is a working database: new rows take numbers after the copied ones.
      const auditBefore = counts.audit_log ?? 0;
      await createComponent(testCtx(target.db), { name: 'Website' });
      const ids = (await target.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map(
        (r) => r.id,
      );
      assert.equal(ids.length, auditBefore + 1);
      assert.ok((ids.at(-1) ?? 0) > (ids.at(-2) ?? 0), 'the new audit entry comes after the copied ones');

      // A second copy into the same target is refused, and changes nothing.
      await assert.rejects(copyDatabase(source.db, target.db), (err: unknown) => {
        assert.ok(err instanceof CopyError);
        assert.match(err.message, /not empty/);
        return true;
      });
      assert.equal(
        (await target.db.selectFrom('components').select('id').execute()).length,
        (before.components?.length ?? 0) + 1,
      );
    } finally {
      await source.close();
      await target.close();
    }
  });
}
