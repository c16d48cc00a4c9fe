/**
 * Moving in from Statuspage, against a stand-in serving its documented
 * management API with paging: a realistic page (20 components, 200
 * incidents, 5,000 subscribers) imports in one run, the public summary
 * then matches the stand-in's, a dry run writes nothing, and a second run
 * creates nothing.
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
