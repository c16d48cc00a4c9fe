/**
 * The watch's rules on its own clock, without the networks: the comms lead
 * is told once per burst (again only after the negatives fell back under
 * the threshold), only negatives of the last 10 minutes count, a post read
 * twice counts once, each feed's since-id moves on, and an account whose
 * calls are spent is not read before its reset.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountRead, Mention, RateLimit } from '../../src/channels/mentions.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import { sentimentWatch } from '../../src/services/sentiment/watch.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import type { Db } from '../../src/store/db.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

const plan = `
page: { name: Acme, time_zone: UTC }
roles:
  comms_lead: { rota: [carol@acme.example] }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [ops] }
channels:
  ops: { type: slack, url: "https://hooks.slack.example/ops" }
  toots: { type: mastodon, server: https://mastodon.example, token: masto-token }
sentiment: { terms: [Acme], accounts: [toots], negative_threshold: 3, every: 2m }
`;

let n = 0;
const post = (text: string, at: Date): Mention => {
  n++;
  return {
    id: String(1000 + n),
    handle: `@p${n}`,
    link: `https://m.example/${n}`,
    at: at.toISOString(),
    text,
    language: 'en',
  };
};
const complaint = 'Acme is down again and support ignores us. Unacceptable.';
const read = (mentions: Mention[], limit: RateLimit | null = null): AccountRead => ({
  channel: 'toots',
  network: 'mastodon',
  feed: 'search:Acme',
  page: { ok: true, mentions, limit },
});

const alerts = async (db: Db) =>
  (await db.selectFrom('audit_log').select('after').where('action', '=', 'sentiment.burst').execute()).length;
const pagesToOps = async (db: Db) =>
  (
    await db.selectFrom('outbox_jobs').select('payload').where('kind', '=', 'channel.notice').execute()
  ).filter((j) => j.payload.includes('negative mentions')).length;

eachDialect(test, 'the comms lead is told once per burst, and again for the next one', async (db) => {
  const clock = new TestClock('2026-06-01T10:00:00.000Z');
  const ctx = testCtx(db, { clock });
  await applyPlan(ctx, { source: plan });
  const incident = await declareIncident(ctx, {
    name: 'API errors',
    severity: 'SEV1',
    body: 'Requests fail.',
  });
  const job = { incident_id: incident.id };
  const watch = sentimentWatch(ctx);

  const two = [post(complaint, clock.now()), post(complaint, clock.now())];
  const next = await watch.mentionsRead(job, [read(two)]);
  assert.equal(next?.toISOString(), '2026-06-01T10:02:00.000Z', 'the next round, `every` later');
  assert.equal(await alerts(db), 0, 'two negatives: under the threshold');
  // The same two again (another term found them) and an old one: nothing new counts.
  await watch.mentionsRead(job, [
    read([...two, post(complaint, new Date(clock.now().getTime() - 11 * 60_000))]),
  ]);
  assert.equal(await alerts(db), 0);

  await watch.mentionsRead(job, [read([post(complaint, clock.now())])]);
  assert.equal(await alerts(db), 1, 'the third negative within 10 minutes');
  assert.equal(await pagesToOps(db), 1);
  await watch.mentionsRead(job, [read([post(complaint, clock.now())])]);
  assert.equal(await alerts(db), 1, 'the same burst is not told twice');

  clock.advance(11 * 60_000);
  await watch.mentionsRead(job, []);
  await watch.mentionsRead(job, [read([post(complaint, clock.now()), post(complaint, clock.now())])]);
  assert.equal(await alerts(db), 1);
  await watch.mentionsRead(job, [read([post(complaint, clock.now())])]);
  assert.equal(await alerts(db), 2, 'a new burst after a quiet spell is told');
  assert.equal(await pagesToOps(db), 2);

  const cursor = await db
    .selectFrom('mention_cursors')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .execute();
  assert.deepEqual(
    cursor.map((c) => [c.channel, c.feed, c.since]),
    [['toots', 'search:Acme', String(1000 + n)]],
  );
});

eachDialect(
  test,
  'an account whose calls are spent is not read before its reset; a closed incident ends the watch',
  async (db) => {
    const clock = new TestClock('2026-06-01T10:00:00.000Z');
    const ctx = testCtx(db, { clock });
    await applyPlan(ctx, { source: plan });
    const incident = await declareIncident(ctx, {
      name: 'API errors',
      severity: 'SEV1',
      body: 'Requests fail.',
    });
    const job = { incident_id: incident.id };
    const watch = sentimentWatch(ctx);
    assert.deepEqual(await watch.sentimentRound(job), {
      terms: ['Acme'],
      accounts: [{ channel: 'toots', since: {} }],
    });

    const reset = new Date(clock.now().getTime() + 5 * 60_000);
    await watch.mentionsRead(job, [
      read([post('Acme status page updated.', clock.now())], { remaining: 0, resetAt: reset }),
    ]);
    assert.deepEqual((await watch.sentimentRound(job))?.accounts, [], 'spent: left alone');
    clock.advance(5 * 60_000 + 1);
    assert.deepEqual((await watch.sentimentRound(job))?.accounts, [
      { channel: 'toots', since: { 'search:Acme': String(1000 + n) } },
    ]);

    // A 429 with its reset does the same.
    await watch.mentionsRead(job, [
      {
        channel: 'toots',
        network: 'mastodon',
        feed: 'mentions',
        page: { ok: false, reason: 'HTTP 429', retryAt: new Date(clock.now().getTime() + 60_000) },
      },
    ]);
    assert.deepEqual((await watch.sentimentRound(job))?.accounts, []);

    await db.updateTable('incidents').set({ status: 'resolved' }).where('id', '=', incident.id).execute();
    assert.equal(await watch.sentimentRound(job), null);
    const armed = await db
      .selectFrom('outbox_jobs')
      .select('dedupe_key')
      .where('kind', '=', 'sentiment.watch')
      .execute();
    assert.deepEqual(
      armed.map((j) => j.dedupe_key),
      [`sentiment:${incident.id}`],
      'declaring armed the watch',
    );
  },
);

eachDialect(test, 'a reopened incident is watched again', async (db) => {
  const clock = new TestClock('2026-06-01T10:00:00.000Z');
  const ctx = testCtx(db, { clock });
  await applyPlan(ctx, { source: plan });
  const incident = await declareIncident(ctx, {
    name: 'API errors',
    severity: 'SEV1',
    body: 'Requests fail.',
  });
  const watchJob = () =>
    db
      .selectFrom('outbox_jobs')
      .select(['state', 'run_at'])
      .where('dedupe_key', '=', `sentiment:${incident.id}`)
      .executeTakeFirstOrThrow();
  await postUpdate(ctx, incident.id, {
    status: 'resolved',
    body: 'Customers can use the API again. All requests work.',
  });
  assert.equal(
    await sentimentWatch(ctx).sentimentRound({ incident_id: incident.id }),
    null,
    'closed: no round',
  );
  // The worker finishes a watch whose round is null.
  await db
    .updateTable('outbox_jobs')
    .set({ state: 'done' })
    .where('dedupe_key', '=', `sentiment:${incident.id}`)
    .execute();

  clock.advance(20 * 60_000);
  await postUpdate(ctx, incident.id, {
    status: 'investigating',
    body: 'Customers see API errors again. We are looking into it. Next update within the hour.',
  });
  assert.deepEqual(await watchJob(), { state: 'pending', run_at: clock.now().toISOString() });
  assert.deepEqual((await sentimentWatch(ctx).sentimentRound({ incident_id: incident.id }))?.terms, ['Acme']);

  await postUpdate(ctx, incident.id, {
    status: 'identified',
    body: 'Customers still see API errors. We found the cause. Next update within the hour.',
  });
  const jobs = await db
    .selectFrom('outbox_jobs')
    .select('id')
    .where('kind', '=', 'sentiment.watch')
    .execute();
  assert.equal(jobs.length, 1, 'an update of an open incident arms nothing more');
});
