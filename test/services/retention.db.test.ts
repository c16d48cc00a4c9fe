/**
 * Retention: sent and dead deliveries, finished jobs and raw alert payloads
 * past their age are deleted in batches; what is still in flight stays; an
 * update's delivery summary reads the same afterwards; the audit log stays; SQLite gives the freed pages back;
 * the sentiment watch's mentions go after the plan's days.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { tempDir } from '../../e2e/helpers/process.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import { pruneExpired } from '../../src/services/retention/prune.ts';
import { updateDeliveryCounts } from '../../src/services/subscribers/queries.ts';
import { type Db, migrate, openDatabase } from '../../src/store/db.ts';
import {
  confirmedSubscriber,
  eachDialect,
  silentLog,
  TestClock,
  testConfig,
  testCtx,
} from '../helpers/db.ts';

const old = '2026-01-01T00:00:00.000Z';
const recent = '2026-05-31T00:00:00.000Z';
const now = '2026-06-01T00:00:00.000Z';

async function deliveries(db: Db, subject: string, state: string, at: string, n: number, error = '') {
  for (let i = 0; i < n; i += 300) {
    await db
      .insertInto('deliveries')
      .values(
        Array.from({ length: Math.min(300, n - i) }, (_, j) => ({
          id: `${subject}-${state}-${at.slice(0, 10)}-${String(i + j).padStart(6, '0')}`,
          subject_type: 'incident_update',
          subject_id: subject,
          // One subscriber each (a delivery is one subscriber's); no row needed for them here.
          subscriber_id: `s-${state}-${at.slice(0, 10)}-${i + j}`,
          channel: (i + j) % 3 === 0 ? 'webhook' : 'email',
          state: state as 'sent',
          attempts: 1,
          next_attempt_at: at,
          created_at: at,
          updated_at: at,
          last_error: error || null,
        })),
      )
      .execute();
  }
}

function job(id: string, state: 'done' | 'pending', finished: string | null, dedupe: string | null = null) {
  return {
    id,
    kind: 'fanout',
    payload: '{}',
    state,
    run_at: old,
    attempts: 1,
    dedupe_key: dedupe,
    created_at: old,
    updated_at: finished ?? old,
    finished_at: finished,
  };
}

function payload(id: string, at: string) {
  return {
    source: 'generic' as const,
    outcome: 'accepted' as const,
    id,
    key_id: 'k',
    received_at: at,

    alert_count: 1,
    body: '{}',
    body_bytes: 2,
  };
}

const count = async (db: Db, table: 'deliveries' | 'outbox_jobs' | 'ingest_payloads' | 'audit_log') =>
  Number((await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);

eachDialect(
  test,
  'what is past its age goes, in batches; what is in flight and the summaries stay',
  async (db) => {
    await db.insertInto('subscribers').values(confirmedSubscriber('email', 'ann@example.com')).execute();
    await deliveries(db, 'u1', 'sent', old, 1100);
    await deliveries(db, 'u1', 'dead', old, 7);
    await deliveries(db, 'u1', 'failed', old, 3);
    await deliveries(db, 'u1', 'sent', recent, 5);
    await deliveries(db, 'u2', 'sent', old, 250);
    await db
      .insertInto('outbox_jobs')
      .values([
        job('j-old', 'done', old, 'fanout:u1'),
        job('j-waiting', 'pending', null),
        job('j-new', 'done', recent),
      ])
      .execute();
    await db
      .insertInto('ingest_payloads')
      .values([payload('p-old', old), payload('p-new', recent)])
      .execute();
    await db
      .insertInto('audit_log')
      .values({
        at: old,
        actor: 'system',
        action: 'component.create',
        subject_type: 'component',
        subject_id: 'c',
        before: null,
        after: null,
        request_id: null,
        source: 'test',
      })
      .execute();

    const before = [await updateDeliveryCounts(db, 'u1'), await updateDeliveryCounts(db, 'u2')];
    assert.equal(before[0]?.total, 1115);
    const ctx = { db, clock: new TestClock(now), config: testConfig(), log: silentLog };
    let pauses = 0;
    const result = await pruneExpired(ctx, {
      batchSize: 100,
      pause: async () => {
        pauses += 1;
      },
    });
    assert.deepEqual(
      {
        deliveries: result.deliveries,
        jobs: result.jobs,
        alert_payloads: result.alert_payloads,
      },
      { deliveries: 1357, jobs: 1, alert_payloads: 1 },
    );
    assert.ok(pauses >= 14, `paused between batches (${pauses})`);
    assert.equal(
      await count(db, 'deliveries'),
      8,
      'the failed ones (still retried) and the recent ones stay',
    );
    assert.deepEqual(
      (await db.selectFrom('outbox_jobs').select('id').orderBy('id').execute()).map((r) => r.id),
      ['j-new', 'j-waiting'],
    );
    assert.equal(await count(db, 'ingest_payloads'), 1);
    assert.equal(await count(db, 'audit_log'), 1, 'the audit log is kept for ever by default');
    assert.deepEqual([await updateDeliveryCounts(db, 'u1'), await updateDeliveryCounts(db, 'u2')], before);

    // Run again: nothing more goes, and the counts are not added twice.
    await pruneExpired(ctx);
    assert.deepEqual([await updateDeliveryCounts(db, 'u1'), await updateDeliveryCounts(db, 'u2')], before);

    // 0 keeps deliveries for ever.
    await deliveries(db, 'u3', 'sent', old, 2);
    const keep = await pruneExpired({ ...ctx, config: testConfig({ CRIER_RETAIN_DELIVERIES_DAYS: '0' }) });
    assert.equal(keep.deliveries, 0);
    assert.equal(await count(db, 'deliveries'), 10);
  },
);

test('SQLite gives the pages retention freed back to the file system', async () => {
  const file = path.join(tempDir('crier-retention-'), 'crier.db');
  const db = openDatabase(`sqlite:${file}`);
  try {
    await migrate(db);
    await db.insertInto('subscribers').values(confirmedSubscriber('email', 'ann@example.com')).execute();
    await deliveries(db, 'u1', 'sent', old, 6000, 'x'.repeat(400));
    const pages = async () =>
      Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]?.page_count);
    const full = await pages();
    const result = await pruneExpired({
      db,
      clock: new TestClock(now),
      config: testConfig(),
      log: silentLog,
    });
    assert.equal(result.deliveries, 6000);
    assert.ok(result.pages_freed > 0);
    const after = await pages();
    assert.ok(after < full / 2, `the file shrank: ${full} pages, now ${after}`);
    assert.equal(
      Number(
        (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows[0]?.freelist_count,
      ),
      0,
    );
  } finally {
    await db.destroy();
  }
});

eachDialect(
  test,
  "the sentiment watch's mentions go after the plan's retention_days (30 without a plan)",
  async (db) => {
    const mention = (link: string, posted_at: string) => ({
      incident_id: 'i1',
      network: 'mastodon',
      handle: '@ana@social.example',
      link,
      posted_at,
      score: -0.8,
      label: 'negative' as const,
      language: 'en',
    });
    await db
      .insertInto('mentions')
      .values([
        mention('https://m.example/1', old),
        mention('https://m.example/2', '2026-05-20T00:00:00.000Z'),
        mention('https://m.example/3', recent),
      ])
      .execute();
    const ctx = { db, clock: new TestClock(now), config: testConfig(), log: silentLog };
    assert.equal((await pruneExpired(ctx)).mentions, 1, 'older than 30 days');
    await applyPlan(testCtx(db, { clock: new TestClock(now) }), {
      source: `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
channels:
  toots: { type: mastodon, server: https://mastodon.example, token: masto-token }
sentiment: { terms: [Acme], accounts: [toots], negative_threshold: 5, retention_days: 7 }
`,
    });
    assert.equal((await pruneExpired(ctx)).mentions, 1, 'older than the plan’s 7 days');
    assert.deepEqual(
      (await db.selectFrom('mentions').select('link').execute()).map((m) => m.link),
      ['https://m.example/3'],
    );
  },
);
