/**
 * The sentiment watch, end to end through the worker: stand-ins for
 * Mastodon, Bluesky and X answer the documented reads (method, path,
 * query, auth header) with the documented shapes and rate-limit headers. A
 * burst of negative mentions pages the comms lead once, on the plan's
 * internal channel, audited; reads go on from their since-ids and a post
 * seen twice counts once; a 429 with its reset leaves that network alone
 * until then. A neutral burst of the same size pages no one.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { xQuery } from '../../src/channels/x-listen.ts';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import type { Plan } from '../../src/plan/schema.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { applyPlan, currentPlan } from '../../src/services/plan/current.ts';
import type { Db } from '../../src/store/db.ts';
import { deliveryServices } from '../../src/worker.ts';
import { eachDialect, testConfig, testCtx } from '../helpers/db.ts';
import { type Answer, type Received, type Receiver, startReceiver, waitFor } from '../helpers/receiver.ts';

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const cid = 'bafyreidwslb22nkaxoadyaqlhlxgntmiq4jdenhkbrxhcq6avxlt75br5u';
const xKeys = {
  app_key: 'xvz1evFS4wEEPTGEFPHBog',
  app_secret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  access_token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  access_secret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
};

const negative = [
  'Acme Cloud is down again and support ignores us. Unacceptable.',
  'Third Acme Cloud outage this month, this is ridiculous.',
  'Acme Cloud broke our checkout. Furious.',
];
const neutral = [
  'Is Acme Cloud down for anyone else?',
  'Acme Cloud status page says they are investigating.',
  'Reposting the Acme Cloud status: identified, fix in progress.',
];

const json = (body: unknown, headers: Record<string, string> = {}, status = 200): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const epochIn = (seconds: number) => String(Math.floor(Date.now() / 1000) + seconds);
const query = (r: Received) => new URL(r.url, 'http://stand.in').searchParams;
const path = (r: Received) => r.url.split('?')[0];

/** Three stand-ins, each answering its network's documented reads with `posts` the first time. */
async function networks(posts: readonly string[], options: { xLimited?: boolean } = {}) {
  const problems: string[] = [];
  const now = () => new Date().toISOString();
  const mastodon = await startReceiver((r, i) => {
    if (r.method !== 'GET') problems.push(`mastodon ${r.method} ${r.url}`);
    if (r.headers.authorization !== 'Bearer masto-token') problems.push('mastodon: no bearer token');
    const limits = {
      'x-ratelimit-limit': '300',
      'x-ratelimit-remaining': String(299 - i),
      'x-ratelimit-reset': new Date(Date.now() + 300_000).toISOString(),
    };
    if (path(r) === '/api/v1/notifications') {
      if (query(r).getAll('types[]').join() !== 'mention') problems.push('mastodon: not mentions only');
      const first = !query(r).has('since_id');
      return json(
        first
          ? [
              {
                id: '9001',
                type: 'mention',
                created_at: now(),
                account: { acct: 'ana@social.example' },
                status: {
                  id: '111',
                  created_at: now(),
                  uri: 'https://social.example/users/ana/statuses/111',
                  url: 'https://social.example/@ana/111',
                  content: `<p>@acme ${posts[0]}</p>`,
                  language: 'en',
                  account: { acct: 'ana@social.example' },
                },
              },
            ]
          : [],
        limits,
      );
    }
    if (path(r) === '/api/v2/search') {
      if (query(r).get('type') !== 'statuses') problems.push('mastodon: search not of statuses');
      const first = !query(r).has('min_id');
      const statuses = first
        ? posts.slice(1).map((text, k) => ({
            id: `12${k}`,
            created_at: now(),
            uri: `https://m.example/users/u${k}/statuses/12${k}`,
            url: `https://m.example/@u${k}/12${k}`,
            content: `<p>${text}</p>`,
            language: 'en',
            account: { acct: `u${k}@m.example` },
          }))
        : [];
      return json({ accounts: [], statuses, hashtags: [] }, limits);
    }
    problems.push(`mastodon: ${r.url}`);
    return { status: 404 };
  });

  const bluesky = await startReceiver((r) => {
    const limits = {
      'ratelimit-limit': '3000',
      'ratelimit-remaining': '2999',
      'ratelimit-reset': epochIn(300),
    };
    if (path(r) === '/xrpc/com.atproto.server.createSession') {
      if (r.method !== 'POST') problems.push('bluesky: createSession not POST');
      return json({
        accessJwt: 'access-1',
        refreshJwt: 'refresh-1',
        handle: 'acme.bsky.social',
        did,
        active: true,
      });
    }
    if (path(r) === '/xrpc/app.bsky.feed.searchPosts') {
      if (r.method !== 'GET') problems.push('bluesky: search not GET');
      if (r.headers.authorization !== 'Bearer access-1') problems.push('bluesky: no session token');
      if (query(r).get('sort') !== 'latest') problems.push('bluesky: not sorted by latest');
      const first = !query(r).has('since');
      const indexed = '2026-01-01T00:00:00.000Z';
      const postsOut = first
        ? posts.map((text, k) => ({
            uri: `at://${did}/app.bsky.feed.post/3lbsky${k}${query(r).get('q')?.length}`,
            cid,
            author: { did, handle: `p${k}.bsky.social` },
            record: { $type: 'app.bsky.feed.post', text, createdAt: now(), langs: ['en'] },
            indexedAt: new Date(Date.parse(indexed) + k).toISOString(),
          }))
        : [];
      return json({ posts: postsOut }, limits);
    }
    problems.push(`bluesky: ${r.url}`);
    return { status: 404 };
  });

  const x = await startReceiver((r) => {
    if (r.method !== 'GET' || path(r) !== '/2/tweets/search/recent') problems.push(`x: ${r.method} ${r.url}`);
    const unsigned = oauthProblem(r, x.url);
    if (unsigned) problems.push(`x: ${unsigned}`);
    if (query(r).get('query') !== xQuery(['Acme Cloud', 'API']))
      problems.push(`x: query ${query(r).get('query')}`);
    if (options.xLimited) {
      return json(
        { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        { 'x-rate-limit-limit': '60', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': epochIn(3600) },
        429,
      );
    }
    const first = !query(r).has('since_id');
    const data = first
      ? posts.map((text, k) => ({
          id: `18000000000000000${k}`,
          text,
          created_at: now(),
          lang: 'en',
          author_id: `${k}`,
        }))
      : [];
    return json(
      {
        ...(data.length > 0 && {
          data,
          includes: { users: posts.map((_, k) => ({ id: `${k}`, username: `user${k}`, name: 'U' })) },
        }),
        meta: { result_count: data.length },
      },
      { 'x-rate-limit-limit': '60', 'x-rate-limit-remaining': '59', 'x-rate-limit-reset': epochIn(900) },
    );
  });
  return {
    mastodon,
    bluesky,
    x,
    problems,
    close: () => Promise.all([mastodon.close(), bluesky.close(), x.close()]),
  };
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * What is wrong with a request's OAuth 1.0a user-context signature (RFC 5849 section 3.4: the
 * HMAC-SHA1 of the method, the URL and every oauth_* and query parameter), or null.
 */
function oauthProblem(r: Received, baseUrl: string): string | null {
  const header = String(r.headers.authorization ?? '');
  if (!header.startsWith('OAuth ')) return 'no OAuth authorization';
  const params = Object.fromEntries(
    [...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [
      m[1] ?? '',
      decodeURIComponent(m[2] ?? ''),
    ]),
  );
  if (params.oauth_consumer_key !== xKeys.app_key || params.oauth_token !== xKeys.access_token)
    return 'not the app’s and account’s keys';
  if (params.oauth_signature_method !== 'HMAC-SHA1') return 'not HMAC-SHA1';
  const { oauth_signature: signature, ...signed } = params;
  const pairs = [...Object.entries(signed), ...query(r).entries()]
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = `${r.method}&${enc(`${baseUrl}${path(r)}`)}&${enc(pairs)}`;
  const computed = createHmac('sha1', `${enc(xKeys.app_secret)}&${enc(xKeys.access_secret)}`)
    .update(base)
    .digest('base64');
  return computed === signature ? null : `signature ${signature} is not ${computed}`;
}

function plan(ops: Receiver, n: Awaited<ReturnType<typeof networks>>) {
  return `
version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
severities:
  SEV2: { external_cadence: 1h, approval: none, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [ops] }
channels:
  ops: { type: slack, url: "${ops.url}/hook" }
  masto: { type: mastodon, server: "${n.mastodon.url}", token: masto-token }
  sky: { type: bluesky, service: "${n.bluesky.url}", identifier: acme.bsky.social, app_password: app-pass-word }
  xacct: { type: x, account: acme, app_key: ${xKeys.app_key}, app_secret: ${xKeys.app_secret}, access_token: ${xKeys.access_token}, access_secret: ${xKeys.access_secret}, endpoint: "${n.x.url}" }
sentiment:
  terms: [Acme Cloud]
  accounts: [masto, sky, xacct]
  negative_threshold: 7
  every: 1s
`;
}

async function watch(db: Db, posts: readonly string[], options: { xLimited?: boolean } = {}) {
  const ops = await startReceiver(() => ({ status: 200, body: 'ok' }));
  const n = await networks(posts, options);
  const ctx = testCtx(db, {
    clock: systemClock,
    config: testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' }),
  });
  await applyPlan(ctx, { source: plan(ops, n) });
  const applied = { plan: (await currentPlan(db)) as Plan };
  const set = buildChannelSet(
    applied.plan.channels,
    { allowPrivateNetwork: true, userAgent: 'test' },
    applied.plan.audiences,
  );
  const worker = new Worker(ctx, deliveryServices(ctx), set, new DeliveryMetrics(), {
    pollMs: 50,
    leaseMs: 5_000,
  });
  const api = await createComponent(ctx, { name: 'API' });
  worker.start();
  const incident = await declareIncident(ctx, {
    name: 'API errors',
    severity: 'SEV2',
    body: 'Requests fail. Next update by 14:30 UTC.',
    components: { [api.id]: 'major_outage' },
  });
  return {
    ctx,
    ops,
    n,
    incident,
    async stop() {
      await worker.stop();
      await set.close();
      await ops.close();
      await n.close();
    },
  };
}

/** What reached the internal channel about mentions (it also hears role assignments). */
const pages = (ops: Receiver) => ops.requests.filter((r) => r.body.includes('negative mentions'));

const mentionsOf = (db: Db, incidentId: string) =>
  db.selectFrom('mentions').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();

eachDialect(
  test,
  'a burst of negative mentions pages the comms lead once; since-ids carry on',
  async (db) => {
    const w = await watch(db, negative);
    try {
      // Mastodon: 1 mention + 2 found (twice: two terms, kept once); Bluesky 3 (per term, distinct links); X 3.
      await waitFor(() => pages(w.ops).length > 0, 20_000, 'the comms lead paged');
      assert.match(
        pages(w.ops)[0]?.body ?? '',
        /carol@acme.example: \d+ negative posts in the last 10 minutes/,
      );
      const audit = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'sentiment.burst')
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.subject_id, w.incident.id);
      assert.match(audit[0]?.after ?? '', /"comms_lead":"carol@acme.example"/);
      // Rounds go on from the since-ids, and nothing is told twice in the same burst.
      await waitFor(
        () => w.n.x.requests.some((r) => query(r).get('since_id') === '180000000000000002'),
        20_000,
        'X read again from its since_id',
      );
      await waitFor(
        () => w.n.mastodon.requests.some((r) => query(r).get('since_id') === '9001'),
        20_000,
        'mastodon since_id',
      );
      await waitFor(
        () => w.n.mastodon.requests.some((r) => query(r).get('min_id') === '121'),
        20_000,
        'mastodon min_id',
      );
      await waitFor(
        () => w.n.bluesky.requests.some((r) => query(r).get('since') !== null),
        20_000,
        'bluesky since',
      );
      const kept = await mentionsOf(db, w.incident.id);
      const links = kept.map((m) => m.link);
      assert.equal(new Set(links).size, links.length, 'each post kept once');
      assert.equal(kept.filter((m) => m.network === 'mastodon').length, 3);
      assert.equal(kept.filter((m) => m.network === 'x').length, 3);
      assert.ok(kept.every((m) => m.label === 'negative' && m.score < 0 && m.language === 'en'));
      assert.deepEqual(Object.keys(kept[0] ?? {}).sort(), [
        'handle',
        'id',
        'incident_id',
        'label',
        'language',
        'link',
        'network',
        'posted_at',
        'score',
      ]);
      assert.equal(pages(w.ops).length, 1, 'told once per burst');
      assert.deepEqual(w.n.problems, []);
    } finally {
      await w.stop();
    }
  },
);

eachDialect(test, 'a neutral burst of the same size pages no one', async (db) => {
  const w = await watch(db, neutral);
  try {
    await waitFor(async () => (await mentionsOf(db, w.incident.id)).length >= 9, 20_000, 'the mentions read');
    await waitFor(() => w.n.x.requests.length >= 2, 20_000, 'a second round');
    const kept = await mentionsOf(db, w.incident.id);
    assert.ok(kept.filter((m) => m.label === 'negative').length < 7, kept.map((m) => m.label).join());
    assert.equal(pages(w.ops).length, 0);
    assert.equal(
      (await db.selectFrom('audit_log').select('id').where('action', '=', 'sentiment.burst').execute())
        .length,
      0,
    );
    assert.deepEqual(w.n.problems, []);
  } finally {
    await w.stop();
  }
});

eachDialect(
  test,
  'a 429 with its reset leaves that network alone until then; the others read on',
  async (db) => {
    const w = await watch(db, neutral, { xLimited: true });
    try {
      await waitFor(() => w.n.mastodon.requests.length >= 9, 20_000, 'three rounds on Mastodon');
      assert.equal(w.n.x.requests.length, 1, 'X asked once, then left alone');
      const limit = await db
        .selectFrom('listen_limits')
        .selectAll()
        .where('channel', '=', 'xacct')
        .executeTakeFirst();
      const until = Date.parse(limit?.until ?? '');
      assert.ok(until > Date.now() + 3_000_000 && until <= Date.now() + 3_600_000, limit?.until);
      assert.deepEqual(w.n.problems, []);
    } finally {
      await w.stop();
    }
  },
);
