/**
 * A realistic status page for the page benchmarks: 20 components in 4
 * groups, 90 days of history (an incident every six days, one to three
 * hours long), 2 active incidents with 5 updates each, 1 upcoming
 * maintenance, written to a new SQLite file.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import type { ComponentStatus } from '../../src/domain/components.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { type Ctx, systemActor } from '../../src/services/context.ts';
import { createGroup } from '../../src/services/groups/groups.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { resolveIncident } from '../../src/services/incidents/resolve.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { ChangeBus } from '../../src/store/changes.ts';
import { migrate, openDatabase } from '../../src/store/db.ts';

export async function seed(file: string): Promise<void> {
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  let now = Date.now() - 90 * 86_400_000;
  const ctx: Ctx = {
    db,
    clock: { now: () => new Date(now) },
    log: pino({ level: 'silent' }),
    config: loadConfig({ CRIER_DEMO: 'false' }),
    changes: new ChangeBus(),
    actor: { ...systemActor, id: 'bench' },
  };
  const groups = ['Core platform', 'Data', 'Integrations', 'Regions'];
  const ids: string[] = [];
  for (const [g, groupName] of groups.entries()) {
    const members: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await createComponent(ctx, {
        name: `${groupName.split(' ')[0]} service ${i + 1}`,
        description: i === 0 ? `The ${groupName.toLowerCase()} entry point.` : null,
      });
      members.push(c.id);
    }
    await createGroup(ctx, { name: groupName, components: members });
    ids.push(...members);
    void g;
  }
  // 90 days of history: an incident every 6 days, one to three hours long.
  const statuses: ComponentStatus[] = ['degraded_performance', 'partial_outage', 'major_outage'];
  for (let day = 1; day < 88; day += 6) {
    now += 6 * 86_400_000;
    const target = ids[(day * 7) % ids.length] as string;
    const incident = await declareIncident(ctx, {
      name: `Past incident on day ${day}`,
      body: 'We are investigating elevated error rates.',
      components: { [target]: statuses[day % 3] as ComponentStatus },
    });
    now += 40 * 60_000;
    await postUpdate(ctx, incident.id, {
      status: 'identified',
      body: 'We identified the cause and are fixing it.',
    });
    now += ((day % 3) + 1) * 3_600_000;
    await resolveIncident(ctx, incident.id, { body: 'This incident has been resolved.' });
  }
  now = Date.now() - 3 * 3_600_000;
  for (const [n, name] of ['Elevated API latency', 'Delayed webhook deliveries'].entries()) {
    const incident = await declareIncident(ctx, {
      name,
      body: 'We are investigating reports of **slow responses**. Next update within 30 minutes.',
      components: { [ids[n * 6] as string]: n === 0 ? 'partial_outage' : 'degraded_performance' },
    });
    for (const status of ['identified', 'identified', 'monitoring', 'monitoring'] as const) {
      now += 20 * 60_000;
      await postUpdate(ctx, incident.id, {
        status,
        body: `Update: we ${status === 'identified' ? 'found the cause and are deploying a fix' : 'deployed a fix and are watching the error rates'}. See [the runbook](https://example.com/runbook).`,
      });
    }
  }
  await scheduleMaintenance(ctx, {
    name: 'Database upgrade',
    body: 'We will upgrade the primary database. Expect brief read-only periods.',
    scheduled_for: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    scheduled_until: new Date(Date.now() + 3 * 86_400_000 + 2 * 3_600_000).toISOString(),
    component_ids: ids.slice(5, 10),
  });
  await db.destroy();
}
