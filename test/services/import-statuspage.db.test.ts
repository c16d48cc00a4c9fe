/**
 * Moving in from Statuspage, against a stand-in serving its documented
 * management API with paging: a realistic page (20 components, 200
 * incidents, 5,000 subscribers) imports in one run, the public summary
 * then matches the stand-in's, a dry run writes nothing, a second run
 * creates nothing, and a run after the source changed brings over exactly
 * what changed (a renamed component, an incident's new update).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { SourceError } from '../../src/ingest/moving-in/fetch.ts';
import { readStatuspage } from '../../src/ingest/moving-in/statuspage.ts';
import { importPage } from '../../src/services/import/apply.ts';
import type { Db } from '../../src/store/db.ts';
import { eachDialect, silentLog, TestClock, testConfig, testCtx } from '../helpers/db.ts';
import { API_KEY, PAGE_ID, startStatuspageStandIn, summaryFacts } from '../helpers/statuspage-standin.ts';

const counted = [
  'components',
  'component_groups',
  'incidents',
  'incident_updates',
  'maintenances',
  'subscribers',
  'subscriber_components',
  'outbox_jobs',
  'deliveries',
] as const;

async function counts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of counted) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

eachDialect(test, 'a Statuspage page moves in whole, once, and its summary reads the same', async (db) => {
  const standIn = await startStatuspageStandIn();
  const clock = new TestClock(new Date().toISOString());
  const ctx = testCtx(db, { clock, actor: 'cli' });
  try {
    const read = () => readStatuspage({ base: standIn.url, pageId: PAGE_ID, key: API_KEY });
    const page = await read();
    assert.equal(page.components.length, 20, 'the group entries of /components are not components');
    assert.equal(page.incidents.length, 200);
    assert.equal(page.maintenances.length, 3);
    assert.deepEqual(page.left, {
      "slack subscribers (not carried over: they subscribe again on Crier's page)": 100,
    });
    // Paged as documented: incidents by page and limit from 1, subscribers by page from 0.
    assert.ok(standIn.asked.includes(`/v1/pages/${PAGE_ID}/incidents?page=3&per_page=100&limit=100`));
    assert.ok(standIn.asked.includes(`/v1/pages/${PAGE_ID}/subscribers?page=0&per_page=100&limit=100`));
    assert.ok(standIn.asked.includes(`/v1/pages/${PAGE_ID}/subscribers?page=49&per_page=100&limit=100`));

    const before = await counts(db);
    const dry = await importPage(ctx, page, { dryRun: true });
    assert.deepEqual(await counts(db), before, 'a dry run writes nothing');
    assert.deepEqual(dry.created, {
      component_group: 4,
      component: 20,
      incident: 200,
      maintenance: 3,
      subscriber: 4899,
    });
    assert.ok(dry.items.some((i) => i.kind === 'component' && i.name === 'Service <3>'));

    const first = await importPage(ctx, page, { dryRun: false });
    assert.deepEqual(first.created, dry.created, 'the dry run said what the run did');
    assert.equal(first.incident_updates, 200 * 3 - 1);
    assert.deepEqual(first.subscribers_by_kind, { email: 3999, sms: 500, webhook: 400 });
    assert.deepEqual(
      first.invalid.map((i) => i.source_id),
      ['sub000000017'],
    );
    const after = await counts(db);
    assert.equal(after.outbox_jobs, 0, 'moving in sends nothing');
    assert.equal(after.deliveries, 0);
    assert.equal(after.subscribers, 4899);

    const sms = await db
      .selectFrom('subscribers')
      .selectAll()
      .where('kind', '=', 'sms')
      .orderBy('contact')
      .executeTakeFirstOrThrow();
    assert.equal(sms.contact, '+12015554000');
    assert.equal(sms.state, 'confirmed');
    const chosen = await db
      .selectFrom('subscriber_components')
      .select('component_id')
      .where(
        'subscriber_id',
        '=',
        (
          await db
            .selectFrom('subscribers')
            .select('id')
            .where('contact', '=', 'customer5@example.com')
            .executeTakeFirstOrThrow()
        ).id,
      )
      .execute();
    assert.deepEqual(
      chosen.map((c) => c.component_id),
      ['cmp000000005'],
      'component choices come along',
    );

    const second = await importPage(await refreshed(ctx, read), await read(), { dryRun: false });
    assert.deepEqual(second.created, {
      component_group: 0,
      component: 0,
      incident: 0,
      maintenance: 0,
      subscriber: 0,
    });
    assert.deepEqual(second.existing, {
      component_group: 4,
      component: 20,
      incident: 200,
      maintenance: 3,
      subscriber: 4899,
    });
    assert.deepEqual(second.updated, {
      component_group: 0,
      component: 0,
      incident: 0,
      maintenance: 0,
      subscriber: 0,
    });
    assert.deepEqual(await counts(db), after, 'a second run changes nothing');

    const app = await createApp(testConfig(), { db, timers: false, log: silentLog, clock });
    try {
      const res = await app.server.inject({ method: 'GET', url: '/api/v2/summary.json' });
      assert.equal(res.statusCode, 200);
      const summary = JSON.parse(res.body);
      const theirs = await (await fetch(`${standIn.url.replace(/\/v1$/, '')}/api/v2/summary.json`)).json();
      assert.deepEqual(summaryFacts(summary), summaryFacts(theirs));
      assert.equal(summary.status.indicator, 'major');
      const history = await app.server.inject({ method: 'GET', url: `/incidents/inc000000010` });
      assert.equal(history.statusCode, 200);
      assert.match(history.body, /Incident 10: resolved\./);
    } finally {
      await app.close();
    }

    // The source moves on: a component is renamed, the open incident gets an update.
    const later = new Date(Date.now() + 60_000).toISOString();
    const renamed = standIn.fixture.components[5] as Record<string, unknown>;
    Object.assign(renamed, { name: 'Checkout API', updated_at: later });
    const open = standIn.fixture.incidents.find((i) => i.id === 'inc000000000') as Record<string, unknown> & {
      incident_updates: unknown[];
    };
    open.incident_updates.unshift({
      id: 'inc000000000u2',
      incident_id: 'inc000000000',
      status: 'monitoring',
      body: 'A fix is out; we are watching.',
      created_at: later,
      updated_at: later,
      display_at: later,
      deliver_notifications: true,
      affected_components: null,
      custom_tweet: null,
      tweet_id: null,
    });
    Object.assign(open, { status: 'monitoring', monitoring_at: later, updated_at: later });
    const third = await importPage(await refreshed(ctx, read), await read(), { dryRun: false });
    assert.deepEqual(third.created, second.created, 'still nothing created twice');
    assert.deepEqual(third.updated, { ...second.updated, component: 1, incident: 1 });
    assert.equal(third.incident_updates, 1);
    assert.deepEqual(await counts(db), { ...after, incident_updates: (after.incident_updates ?? 0) + 1 });
    const component = await db
      .selectFrom('components')
      .select(['name', 'status'])
      .where('id', '=', 'cmp000000005')
      .executeTakeFirstOrThrow();
    assert.deepEqual(component, { name: 'Checkout API', status: 'operational' });
    const incident = await db
      .selectFrom('incidents')
      .select(['status', 'monitoring_at'])
      .where('id', '=', 'inc000000000')
      .executeTakeFirstOrThrow();
    assert.equal(incident.status, 'monitoring');
    assert.equal(Date.parse(incident.monitoring_at ?? ''), Date.parse(later));
    const newest = await db
      .selectFrom('incident_updates')
      .select(['id', 'body', 'state', 'audience'])
      .where('incident_id', '=', 'inc000000000')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(newest, {
      id: 'inc000000000u2',
      body: 'A fix is out; we are watching.',
      state: 'published',
      audience: 'public',
    });
    assert.equal((await counts(db)).outbox_jobs, 0, 'bringing an update over sends nothing');
    // Unchanged since, the source changes nothing; an edit made in Crier since stands.
    await db
      .updateTable('components')
      .set({ name: 'Our checkout', updated_at: new Date(Date.now() + 120_000).toISOString() })
      .where('id', '=', 'cmp000000005')
      .execute();
    const settled = await counts(db);
    const fourth = await importPage(await refreshed(ctx, read), await read(), { dryRun: false });
    assert.deepEqual(fourth.updated, second.updated);
    assert.equal(fourth.incident_updates, 0);
    assert.deepEqual(await counts(db), settled);
    assert.equal(
      (
        await db
          .selectFrom('components')
          .select('name')
          .where('id', '=', 'cmp000000005')
          .executeTakeFirstOrThrow()
      ).name,
      'Our checkout',
    );
  } finally {
    await standIn.close();
  }
});

/** The same context, a minute on. */
async function refreshed(ctx: ReturnType<typeof testCtx>, _read: unknown) {
  (ctx.clock as TestClock).advance(60_000);
  return ctx;
}

eachDialect(test, 'a source that refuses the key, or answers out of shape, changes nothing', async (db) => {
  const standIn = await startStatuspageStandIn();
  try {
    await assert.rejects(
      readStatuspage({ base: standIn.url, pageId: PAGE_ID, key: 'wrong' }),
      (err: unknown) => err instanceof SourceError && /answered 401 \(check the API key\)/.test(err.message),
    );
    standIn.fixture.components[2] = { ...standIn.fixture.components[2], status: 'on_fire' };
    await assert.rejects(
      readStatuspage({ base: standIn.url, pageId: PAGE_ID, key: API_KEY }),
      (err: unknown) =>
        err instanceof SourceError && /documented shape: \d+\.status: Invalid option/.test(err.message),
    );
    assert.equal((await counts(db)).components, 0);
  } finally {
    await standIn.close();
  }
});
