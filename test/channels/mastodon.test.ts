/**
 * Mastodon against a local stand-in for a Mastodon server: the requests its
 * documentation gives (GET /api/v2/instance for the character limit; POST
 * /api/v1/statuses with a bearer token, an Idempotency-Key and JSON
 * `status`, `visibility`, `language`, `in_reply_to_id`; PUT
 * /api/v1/statuses/:id to edit), its documented answers and errors (422,
 * 401, 404 for a deleted post replied to, 429 with X-RateLimit-Reset), and
 * an incident's updates, published through the API, becoming one thread,
 * and a correction editing its post.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mastodon } from '../../src/channels/mastodon.ts';
import type { Message } from '../../src/channels/types.ts';
import { mastodonLength } from '../../src/domain/social-text.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { type Answer, type Received, type Receiver, startReceiver, waitFor } from '../helpers/receiver.ts';

const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Checkout errors: Investigating',
  text: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  status: 'investigating',
  impact: 'critical',
  url: 'https://status.example/incidents/abc',
};

/** A Mastodon server's documented answers: the instance (v2), a status, an error. */
function instance(maxCharacters: number): Answer {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      domain: 'social.example',
      title: 'Example',
      configuration: {
        urls: { streaming: 'wss://social.example' },
        statuses: {
          max_characters: maxCharacters,
          max_media_attachments: 4,
          characters_reserved_per_url: 23,
        },
      },
    }),
  };
}
const status = (id: string): Answer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ id, uri: `https://social.example/users/acme/statuses/${id}`, content: '<p>…</p>' }),
});
const error = (code: number, text: string, headers: Record<string, string> = {}): Answer => ({
  status: code,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ error: text }),
});

let stand: Receiver;
/** Answers to statuses requests, in turn; the instance is answered apart. */
let next: Answer[] = [];
let maxCharacters = 500;
const standAnswer = (r: Received): Answer =>
  r.url === '/api/v2/instance' ? instance(maxCharacters) : (next.shift() ?? status('1'));
before(async () => {
  stand = await startReceiver(standAnswer);
});
after(() => stand.close());

function channel(extra: Record<string, unknown> = {}) {
  const parsed = ChannelsSection.parse({
    toots: {
      type: 'mastodon',
      server: stand.url,
      token: 'ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0',
      ...extra,
    },
  }).toots;
  assert.ok(parsed?.type === 'mastodon');
  return mastodon.create('toots', parsed, deps);
}
const statusRequests = () => stand.requests.filter((r) => r.url !== '/api/v2/instance');
const bodyOf = (r: Received | undefined) => JSON.parse(r?.body ?? '{}') as Record<string, unknown>;

test('mastodon: the documented post, a reply in the thread, an edit, and the instance read once', async () => {
  const c = channel();
  stand.requests.length = 0;
  try {
    next = [status('109372843234390873')];
    assert.deepEqual(await c.send({ contact: stand.url }, message), {
      ok: true,
      providerId: '109372843234390873',
    });
    const instanceRead = stand.requests[0];
    assert.equal(instanceRead?.method, 'GET');
    assert.equal(instanceRead?.url, '/api/v2/instance');
    const r = statusRequests().at(-1);
    assert.ok(r);
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/api/v1/statuses');
    assert.equal(r.headers.authorization, 'Bearer ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0');
    assert.equal(
      r.headers['idempotency-key'],
      'd0000000001a',
      'the delivery id: a retry posts nothing twice',
    );
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(bodyOf(r), {
      status:
        'Checkout errors: Investigating\n\nCard payments fail for some customers. Next update by 14:30 UTC.\n\nhttps://status.example/incidents/abc',
      visibility: 'public',
      language: 'en',
    });

    // A later update replies to the previous post; a correction edits its post.
    next = [status('109372843234390999')];
    const reply = await c.send(
      { contact: stand.url },
      {
        ...message,
        id: 'd0000000002b',
        thread: { root: '109372843234390873', parent: '109372843234390873' },
      },
    );
    assert.deepEqual(reply, { ok: true, providerId: '109372843234390999' });
    assert.equal(bodyOf(statusRequests().at(-1)).in_reply_to_id, '109372843234390873');
    next = [status('109372843234390873')];
    const edited = await c.send(
      { contact: stand.url },
      {
        ...message,
        id: 'd0000000003c',
        text: 'Card payments fail for every customer.',
        corrects: '109372843234390873',
      },
    );
    assert.deepEqual(edited, { ok: true, providerId: '109372843234390873' });
    const put = statusRequests().at(-1);
    assert.equal(put?.method, 'PUT');
    assert.equal(put?.url, '/api/v1/statuses/109372843234390873');
    assert.equal(put?.headers.authorization, 'Bearer ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0');
    assert.match(String(bodyOf(put).status), /Card payments fail for every customer\./);
    assert.equal(
      stand.requests.filter((q) => q.url === '/api/v2/instance').length,
      1,
      'the limit is read once',
    );
  } finally {
    await c.close();
  }
});

test('mastodon: the text is cut to the instance’s own limit, a link counting 23, the title and link kept', async () => {
  maxCharacters = 120;
  const c = channel({ visibility: 'unlisted', language: 'fr' });
  try {
    next = [status('7')];
    await c.send({ contact: stand.url }, { ...message, text: `${'Les paiements échouent. '.repeat(20)}🇫🇷` });
    const body = bodyOf(statusRequests().at(-1));
    const text = String(body.status);
    assert.equal(body.visibility, 'unlisted');
    assert.equal(body.language, 'fr');
    assert.ok(mastodonLength(text) <= 120, `${mastodonLength(text)} counted`);
    assert.ok(mastodonLength(text) >= 110, 'the room is used');
    assert.match(
      text,
      /^Checkout errors: Investigating\n\nLes paiements échouent\. .*…\n\nhttps:\/\/status\.example\/incidents\/abc$/s,
    );
    // The URL (36 characters) counts 23, as Mastodon counts it.
    assert.equal(mastodonLength('see https://status.example/incidents/abc'), 4 + 23);
    assert.equal(mastodonLength('🇫🇷👩‍👩‍👧'), 2, 'graphemes, not code points');
  } finally {
    maxCharacters = 500;
    await c.close();
  }
});

test('mastodon: documented errors — rate limit until X-RateLimit-Reset, refusals, a deleted post replied to', async () => {
  const c = channel();
  try {
    const reset = new Date(Date.now() + 90_000).toISOString();
    next = [
      error(429, 'Too many requests', {
        'x-ratelimit-limit': '300',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset,
      }),
    ];
    const limited = await c.send({ contact: stand.url }, message);
    assert.ok(!limited.ok && limited.retry);
    assert.ok(
      !limited.ok &&
        limited.retryAfterMs !== undefined &&
        limited.retryAfterMs > 80_000 &&
        limited.retryAfterMs <= 90_000,
      JSON.stringify(limited),
    );
    next = [error(503, 'Service Unavailable')];
    const down = await c.send({ contact: stand.url }, message);
    assert.ok(!down.ok && down.retry);
    next = [error(422, 'Validation failed: Text character limit of 500 exceeded')];
    const invalid = await c.send({ contact: stand.url }, message);
    assert.ok(!invalid.ok && !invalid.retry);
    assert.equal(
      invalid.ok ? '' : invalid.reason,
      'HTTP 422: Validation failed: Text character limit of 500 exceeded',
    );
    next = [error(401, 'The access token is invalid')];
    const refused = await c.send({ contact: stand.url }, message);
    assert.ok(!refused.ok && !refused.retry);

    // The post replied to was deleted: Mastodon answers 404, and the update starts a new thread.
    next = [error(404, 'The post you are trying to reply to does not appear to exist.'), status('42')];
    const before = statusRequests().length;
    const restarted = await c.send(
      { contact: stand.url },
      { ...message, thread: { root: '1', parent: '9' } },
    );
    assert.deepEqual(restarted, { ok: true, providerId: '42' });
    const [first, second] = statusRequests().slice(before);
    assert.equal(bodyOf(first).in_reply_to_id, '9');
    assert.equal(bodyOf(second).in_reply_to_id, undefined);
    assert.notEqual(second?.headers['idempotency-key'], first?.headers['idempotency-key']);

    // The post corrected was deleted: the correction is said in the thread instead.
    next = [error(404, 'Record not found'), status('43')];
    const corrected = await c.send(
      { contact: stand.url },
      { ...message, corrects: '5', thread: { root: '1', parent: '9' } },
    );
    assert.deepEqual(corrected, { ok: true, providerId: '43' });
    const said = bodyOf(statusRequests().at(-1));
    assert.equal(said.in_reply_to_id, '9');
    assert.match(String(said.status), /^Correction: Checkout errors/);
  } finally {
    await c.close();
  }
});

test('mastodon: the plan takes a server and a token; other settings are refused', () => {
  const ok = ChannelsSection.safeParse({
    m: { type: 'mastodon', server: 'https://mastodon.social', token: 'env:MASTODON_TOKEN' },
  });
  assert.ok(ok.success);
  for (const bad of [
    { type: 'mastodon', token: 'env:T' },
    { type: 'mastodon', server: 'ftp://mastodon.social', token: 'env:T' },
    { type: 'mastodon', server: 'https://mastodon.social', token: 'env:T', visibility: 'direct' },
    { type: 'mastodon', server: 'https://mastodon.social', token: 'env:T', url: 'https://x' },
  ]) {
    assert.equal(ChannelsSection.safeParse({ m: bad }).success, false, JSON.stringify(bad));
  }
});

for (const dialect of dialects) {
  test(`mastodon: an incident's updates become one thread, linking to its page [${dialect.name}]`, async () => {
    let n = 0;
    // The server's documented answers: a new status to a POST; the same status, edited, to a PUT.
    const server = await startReceiver((r) =>
      r.url === '/api/v2/instance'
        ? instance(500)
        : r.method === 'PUT'
          ? status(r.url.split('/').at(-1) ?? '')
          : status(`11000000000000000${++n}`),
    );
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  webhook: { type: webhook }
  toots: { type: mastodon, server: "${server.url}", token: env:MASTODON_TOKEN }`,
        audiences: { public: ['status-page', 'toots'], enterprise: ['webhook'] },
        env: { MASTODON_TOKEN: 'tok_mastodon_0123456789' },
      });
      const { id, updateId } = await app.declare(
        'Checkout errors',
        'Card payments fail for some customers. Next update by 14:30 UTC.',
      );
      const first = await app.settled(updateId);
      assert.deepEqual(
        first.map((d) => [d.channel, d.subscriber_id, d.state, d.provider_id]),
        [['toots', 'account:toots', 'sent', '110000000000000001']],
      );
      const later = await app.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: app.auth,
        payload: {
          status: 'identified',
          body: 'We found the cause: a failed card processor. Next update by 15:00 UTC.',
        },
      });
      assert.equal(later.statusCode, 201, later.body);
      const second = await app.settled(String((JSON.parse(later.body) as { id: string }).id));
      assert.equal(second[0]?.provider_id, '110000000000000002');
      const third = await app.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: app.auth,
        payload: {
          status: 'monitoring',
          body: 'A fix is in place; some card payments may still fail. Next update by 16:00 UTC.',
        },
      });
      assert.equal(third.statusCode, 201, third.body);
      await app.settled(String((JSON.parse(third.body) as { id: string }).id));

      const posts = server.requests.filter((r) => r.url === '/api/v1/statuses');
      assert.equal(posts.length, 3);
      assert.ok(posts.every((p) => p.headers.authorization === 'Bearer tok_mastodon_0123456789'));
      const bodies = posts.map(bodyOf);
      assert.deepEqual(
        bodies.map((b) => b.in_reply_to_id),
        [undefined, '110000000000000001', '110000000000000002'],
        'each update replies to the previous post: one thread',
      );
      for (const b of bodies)
        assert.match(String(b.status), new RegExp(`https://status\\.crier\\.test/incidents/${id}$`));
      assert.match(String(bodies[1]?.status), /^Checkout errors: Identified\n\nWe found the cause/);
      // Each delivery's id is its idempotency key.
      assert.deepEqual(
        posts.map((p) => p.headers['idempotency-key']),
        [first[0]?.id, second[0]?.id, posts[2]?.headers['idempotency-key']],
      );

      // A correction of the second update edits its post, in a delivery of its own; the thread goes on from the latest post.
      const secondId = String(second[0]?.subject_id);
      const corrected = await app.app.server.inject({
        method: 'PATCH',
        url: `/api/v1/incidents/${id}/updates/${secondId}`,
        headers: app.auth,
        payload: {
          body: 'We found the cause: a failed card gateway. Card payments fail for some customers. Next update by 15:00 UTC.',
        },
      });
      assert.equal(corrected.statusCode, 200, corrected.body);
      await waitFor(
        async () => {
          const rows = await app?.t.db
            .selectFrom('deliveries')
            .select('state')
            .where('subject_type', '=', 'incident_correction')
            .execute();
          return rows?.length === 1 && rows[0]?.state === 'sent';
        },
        15_000,
        'the correction to be sent',
      );
      const edit = server.requests.at(-1);
      assert.equal(edit?.method, 'PUT');
      assert.equal(edit?.url, '/api/v1/statuses/110000000000000002');
      assert.match(
        String(bodyOf(edit).status),
        /^Checkout errors: Identified\n\nWe found the cause: a failed card gateway\./,
      );
      const fourth = await app.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: app.auth,
        payload: { status: 'resolved', body: 'Card payments work again for every customer.' },
      });
      assert.equal(fourth.statusCode, 201, fourth.body);
      await app.settled(String((JSON.parse(fourth.body) as { id: string }).id));
      const lastPost = server.requests.filter((r) => r.url === '/api/v1/statuses').at(-1);
      assert.equal(
        bodyOf(lastPost).in_reply_to_id,
        '110000000000000003',
        'an edit does not move the thread back',
      );

      // Another incident starts its own thread.
      const other = await app.declare(
        'Reports are slow',
        'Reports are slow to load. Next update by 15:00 UTC.',
      );
      await app.settled(other.updateId);
      assert.equal(
        bodyOf(server.requests.filter((r) => r.url === '/api/v1/statuses').at(-1)).in_reply_to_id,
        undefined,
      );
    } finally {
      await app?.close();
      await server.close();
    }
  });
}
