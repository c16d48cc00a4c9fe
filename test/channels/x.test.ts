/**
 * X through twitter-api-v2 against a local stand-in for the X API: the
 * request its documentation gives for creating a post (POST /2/tweets, JSON
 * `text` and `reply.in_reply_to_tweet_id`) signed with OAuth 1.0a user
 * context, the stand-in checking every oauth_* parameter and the HMAC-SHA1
 * signature as RFC 5849 computes it; 280 weighted characters counted as
 * twitter-text counts; documented errors (429 with x-rate-limit-reset, 403
 * for a duplicate, 401); and an incident's updates becoming one thread.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import twitter from 'twitter-text';
import type { Message } from '../../src/channels/types.ts';
import { x } from '../../src/channels/x.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { type Answer, type Received, type Receiver, startReceiver } from '../helpers/receiver.ts';

const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const keys = {
  app_key: 'xvz1evFS4wEEPTGEFPHBog',
  app_secret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  access_token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  access_secret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
};
const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Checkout errors: Investigating',
  text: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  status: 'investigating',
  impact: 'critical',
  url: 'https://status.example.com/incidents/abc',
};

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** What the stand-in found wrong with a request's OAuth 1.0a signature (RFC 5849 section 3.4), or null. */
function oauthProblem(r: Received, baseUrl: string): string | null {
  const header = String(r.headers.authorization ?? '');
  if (!header.startsWith('OAuth ')) return 'no OAuth authorization';
  const params = Object.fromEntries(
    [...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [
      m[1] ?? '',
      decodeURIComponent(m[2] ?? ''),
    ]),
  );
  const expected = {
    oauth_consumer_key: keys.app_key,
    oauth_token: keys.access_token,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_version: '1.0',
  };
  for (const [k, v] of Object.entries(expected)) if (params[k] !== v) return `${k} is ${params[k]}`;
  if (
    !/^\d+$/.test(params.oauth_timestamp ?? '') ||
    Math.abs(Number(params.oauth_timestamp) - Date.now() / 1000) > 300
  )
    return 'oauth_timestamp is not now';
  if (!params.oauth_nonce) return 'no oauth_nonce';
  // A JSON body is not signed: the parameters are the oauth_* ones (and the query, here none).
  const { oauth_signature: signature, ...signed } = params;
  const normalized = Object.entries(signed)
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a = '', av = ''], [b = '', bv = '']) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = `${r.method}&${enc(`${baseUrl}${r.url.split('?')[0]}`)}&${enc(normalized)}`;
  const key = `${enc(keys.app_secret)}&${enc(keys.access_secret)}`;
  const computed = createHmac('sha1', key).update(base).digest('base64');
  return computed === signature ? null : `signature ${signature} is not ${computed}`;
}

let stand: Receiver;
let next: Answer[] = [];
const problems: string[] = [];
let n = 0;
const created = (id: string): Answer => ({
  status: 201,
  headers: {
    'content-type': 'application/json',
    'x-rate-limit-limit': '100',
    'x-rate-limit-remaining': '99',
    'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900),
  },
  body: JSON.stringify({ data: { id, text: '…', edit_history_tweet_ids: [id] } }),
});
const xAnswer = (r: Received): Answer => {
  const problem = oauthProblem(r, stand.url);
  if (problem) {
    problems.push(problem);
    return {
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Unauthorized',
        type: 'about:blank',
        status: 401,
        detail: 'Unauthorized',
      }),
    };
  }
  return next.shift() ?? created(`18500000000000000${++n}`);
};
before(async () => {
  stand = await startReceiver((r) => xAnswer(r));
});
after(() => stand.close());

function channel() {
  const parsed = ChannelsSection.parse({
    xs: { type: 'x', account: '@acme_status', endpoint: stand.url, ...keys },
  }).xs;
  assert.ok(parsed?.type === 'x');
  return x.create('xs', parsed, deps);
}
const bodyOf = (r: Received | undefined) =>
  JSON.parse(r?.body ?? '{}') as { text?: string; reply?: { in_reply_to_tweet_id: string } };

test('x: the documented post, signed with OAuth 1.0a (HMAC-SHA1 checked), and a reply in the thread', async () => {
  const c = channel();
  try {
    const first = await c.send({ contact: '@acme_status' }, message);
    assert.ok(first.ok, JSON.stringify(first));
    assert.deepEqual(problems, []);
    const r = stand.requests.at(-1);
    assert.equal(r?.method, 'POST');
    assert.equal(r?.url, '/2/tweets');
    assert.match(String(r?.headers['content-type']), /^application\/json/);
    assert.deepEqual(bodyOf(r), {
      text: 'Checkout errors: Investigating\n\nCard payments fail for some customers. Next update by 14:30 UTC.\n\nhttps://status.example.com/incidents/abc',
    });
    const second = await c.send(
      { contact: '@acme_status' },
      {
        ...message,
        id: 'd2',
        thread: {
          root: first.ok ? (first.providerId ?? '') : '',
          parent: first.ok ? (first.providerId ?? '') : '',
        },
      },
    );
    assert.ok(second.ok);
    assert.deepEqual(bodyOf(stand.requests.at(-1)).reply, {
      in_reply_to_tweet_id: first.ok ? first.providerId : '',
    });
    const correction = await c.send(
      { contact: '@acme_status' },
      { ...message, id: 'd3', corrects: '1', thread: { root: '1', parent: '2' } },
    );
    assert.ok(correction.ok);
    const said = bodyOf(stand.requests.at(-1));
    assert.match(String(said.text), /^Correction: /, 'the API cannot edit: a reply says so');
    assert.deepEqual(said.reply, { in_reply_to_tweet_id: '2' });
    assert.deepEqual(problems, []);

    // A wrong secret is caught by the stand-in's signature check.
    const parsed = ChannelsSection.parse({
      xs: { type: 'x', account: 'acme_status', endpoint: stand.url, ...keys, app_secret: 'not-the-secret' },
    }).xs;
    assert.ok(parsed?.type === 'x');
    const forged = await x.create('xs', parsed, deps).send({ contact: '@acme_status' }, message);
    assert.ok(!forged.ok && !forged.retry);
    assert.match(problems.pop() ?? '', /^signature /);
  } finally {
    await c.close();
  }
});

test('x: 280 weighted characters as twitter-text counts them: CJK twice, a link 23', async () => {
  const c = channel();
  try {
    await c.send(
      { contact: '@acme_status' },
      { ...message, text: 'カード決済が一部のお客様で失敗しています。'.repeat(20) },
    );
    const text = String(bodyOf(stand.requests.at(-1)).text);
    const parsed = twitter.parseTweet(text);
    assert.ok(
      parsed.valid && parsed.weightedLength <= 280 && parsed.weightedLength > 270,
      JSON.stringify(parsed),
    );
    assert.ok([...text].length < 200, 'far fewer characters than 280');
    assert.match(text, /…\n\nhttps:\/\/status\.example\.com\/incidents\/abc$/);
  } finally {
    await c.close();
  }
});

test('x: documented errors — 429 until x-rate-limit-reset, a duplicate refused, a server error retried', async () => {
  const c = channel();
  try {
    const reset = Math.floor(Date.now() / 1000) + 600;
    next = [
      {
        status: 429,
        headers: {
          'content-type': 'application/json',
          'x-rate-limit-limit': '100',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(reset),
        },
        body: JSON.stringify({
          title: 'Too Many Requests',
          detail: 'Too Many Requests',
          type: 'about:blank',
          status: 429,
        }),
      },
    ];
    const limited = await c.send({ contact: '@acme_status' }, message);
    assert.ok(!limited.ok && limited.retry && (limited.retryAfterMs ?? 0) > 590_000, JSON.stringify(limited));
    next = [
      {
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          detail: 'You are not allowed to create a Tweet with duplicate content.',
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
        }),
      },
    ];
    const duplicate = await c.send({ contact: '@acme_status' }, message);
    assert.ok(!duplicate.ok && !duplicate.retry);
    assert.equal(
      duplicate.ok ? '' : duplicate.reason,
      'HTTP 403: You are not allowed to create a Tweet with duplicate content.',
    );
    next = [
      {
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'Service Unavailable' }),
      },
    ];
    const down = await c.send({ contact: '@acme_status' }, message);
    assert.ok(!down.ok && down.retry);
  } finally {
    await c.close();
  }
});

for (const dialect of dialects) {
  test(`x: an incident's updates become one thread [${dialect.name}]`, async () => {
    let app: PlanApp | undefined;
    const before = stand.requests.length;
    try {
      app = await startPlanApp(dialect, {
        channels: `  webhook: { type: webhook }
  xs: { type: x, account: "@acme_status", endpoint: "${stand.url}", app_key: env:X_KEY, app_secret: env:X_SECRET, access_token: env:X_TOKEN, access_secret: env:X_TOKEN_SECRET }`,
        audiences: { public: ['status-page', 'xs'], enterprise: ['webhook'] },
        env: {
          X_KEY: keys.app_key,
          X_SECRET: keys.app_secret,
          X_TOKEN: keys.access_token,
          X_TOKEN_SECRET: keys.access_secret,
        },
      });
      const { id, updateId } = await app.declare(
        'Checkout errors',
        'Card payments fail for some customers. Next update by 14:30 UTC.',
      );
      const first = await app.settled(updateId);
      assert.deepEqual(
        first.map((d) => [d.channel, d.subscriber_id, d.state]),
        [['xs', 'account:xs', 'sent']],
      );
      const later = await app.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: app.auth,
        payload: { status: 'resolved', body: 'Card payments work again for every customer.' },
      });
      assert.equal(later.statusCode, 201, later.body);
      await app.settled(String((JSON.parse(later.body) as { id: string }).id));
      const posts = stand.requests.slice(before).map(bodyOf);
      assert.equal(posts.length, 2);
      assert.equal(posts[0]?.reply, undefined);
      assert.deepEqual(posts[1]?.reply, { in_reply_to_tweet_id: first[0]?.provider_id });
      assert.match(String(posts[1]?.text), new RegExp(`https://status\\.crier\\.test/incidents/${id}$`));
      assert.deepEqual(problems, []);
    } finally {
      await app?.close();
    }
  });
}
