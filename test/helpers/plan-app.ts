/**
 * An app with its worker on a fresh database, started from a plan file that
 * names the channels under test, for channels seen end to end: declare an
 * incident through the API, then wait for its deliveries to settle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Selectable } from 'kysely';
import { type App, createApp } from '../../src/app.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import type { Database } from '../../src/store/schema.ts';
import { openTestDb, silentLog, type TestDb, type TestDialect, testConfig, testCtx } from './db.ts';
import { waitFor } from './receiver.ts';

type DeliveryRow = Selectable<Database['deliveries']>;

export interface PlanApp {
  app: App;
  t: TestDb;
  auth: { authorization: string };
  /**
   * Declares an incident (SEV3, no approval) whose first update goes to `audience`; the body must
   * pass lint (say when the next update comes), or the update stays a draft and this throws.
   */
  declare(name: string, body: string, audience?: string): Promise<{ id: string; updateId: string }>;
  /** Waits until the fan-out of `updateId` is done and none of its deliveries is still to send. */
  settled(updateId: string): Promise<DeliveryRow[]>;
  close(): Promise<void>;
}

export interface PlanAppOptions {
  /** The `channels:` section, as YAML lines indented by two spaces. */
  channels: string;
  /** The channels each audience hears on. */
  audiences: Record<string, string[]>;
  env?: Record<string, string>;
  /** The whole plan, instead of one made from `channels` and `audiences`. */
  plan?: string;
  /** The app's clock, for words that carry the time (the real one by default). */
  clock?: Clock;
}

export async function startPlanApp(dialect: TestDialect, options: PlanAppOptions): Promise<PlanApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-plan-app-'));
  const planPath = path.join(dir, 'crier.yaml');
  const audiences = Object.entries(options.audiences)
    .map(([name, channels]) => `  ${name}: { channels: [${channels.join(', ')}] }`)
    .join('\n');
  fs.writeFileSync(
    planPath,
    options.plan ??
      `version: 1
page: { name: Channel Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [${Object.keys(options.audiences).join(', ')}] }
audiences:
${audiences}
channels:
${options.channels}
`,
  );
  const t = await openTestDb(dialect);
  const config = testConfig({
    CRIER_PLAN: planPath,
    CRIER_PUBLIC_URL: 'https://status.crier.test',
    CRIER_WORKER_POLL_MS: '50',
    ...options.env,
  });
  let app: App;
  try {
    app = await createApp(config, {
      db: t.db,
      timers: false,
      worker: true,
      log: silentLog,
      ...(options.clock !== undefined && { clock: options.clock }),
    });
  } catch (err) {
    await t.close();
    throw err;
  }
  const token = (await createToken(testCtx(t.db), { name: 'channel-test', role: 'admin' })).token;
  const auth = { authorization: `Bearer ${token}` };
  return {
    app,
    t,
    auth,
    async declare(name, body, audience = 'public') {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth,
        payload: { name, severity: 'SEV3', body, ...(audience !== 'public' && { audience }) },
      });
      if (res.statusCode !== 201) throw new Error(`declaring failed: ${res.statusCode} ${res.body}`);
      const incident = JSON.parse(res.body) as { id: string; incident_updates: { id: string }[] };
      const updateId = incident.incident_updates[0]?.id ?? '';
      const update = await t.db
        .selectFrom('incident_updates')
        .select(['state', 'lint'])
        .where('id', '=', updateId)
        .executeTakeFirst();
      if (update?.state !== 'published') throw new Error(`the update is ${update?.state}: ${update?.lint}`);
      return { id: incident.id, updateId };
    },
    async settled(updateId) {
      await waitFor(
        async () => {
          const job = await t.db
            .selectFrom('outbox_jobs')
            .select('state')
            .where('dedupe_key', '=', `fanout:${updateId}`)
            .executeTakeFirst();
          const open = await t.db
            .selectFrom('deliveries')
            .select('id')
            .where('subject_id', '=', updateId)
            .where('state', 'in', ['pending', 'sending', 'failed'])
            .execute();
          return job?.state === 'done' && open.length === 0;
        },
        15_000,
        `the deliveries of ${updateId}`,
      );
      return t.db.selectFrom('deliveries').selectAll().where('subject_id', '=', updateId).execute();
    },
    async close() {
      await app.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
