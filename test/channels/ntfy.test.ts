/**
 * ntfy against a local stand-in for an ntfy server: the request its
 * documentation gives for publishing as JSON (POST to the root URL, the
 * topic, title, message, tags, priority and click link in the body, an
 * access token as Bearer auth), its answers, and an update published
 * through the API reaching the topic once, recorded as a delivery.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ntfy } from '../../src/channels/ntfy.ts';
import type { Message } from '../../src/channels/types.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { type Answer, type Receiver, startReceiver } from '../helpers/receiver.ts';

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
const published = (id: string) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ id, time: 1735689600, event: 'message', topic: 'acme-status' }),
});

let stand: Receiver;
let next: Answer[] = [];
before(async () => {
  stand = await startReceiver(() => next.shift() ?? published('x'));
});
after(() => stand.close());

function channel(extra: Record<string, unknown> = {}) {
  const parsed = ChannelsSection.parse({
    alerts: {
      type: 'ntfy',
      server: stand.url,
      topic: 'acme-status',
      token: 'tk_AgQdq7mVBoFD37zQVN29Rhu',
      ...extra,
    },
  }).alerts;
  assert.ok(parsed?.type === 'ntfy');
  return ntfy.create('alerts', parsed, deps);
}

test('ntfy: the documented JSON publish, and its answers', async () => {
  const c = channel({ tags: ['acme'] });
  try {
    next = [published('sP9vbA1qQZ7N')];
    assert.deepEqual(await c.send({ contact: 'acme-status' }, message), {
      ok: true,
      providerId: 'sP9vbA1qQZ7N',
    });
    const r = stand.requests.at(-1);
    assert.ok(r);
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/', 'JSON is published to the root URL, not the topic URL');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers.authorization, 'Bearer tk_AgQdq7mVBoFD37zQVN29Rhu');
    assert.deepEqual(JSON.parse(r.body), {
      topic: 'acme-status',
      title: 'Checkout errors: Investigating',
      message: 'Card payments fail for some customers. Next update by 14:30 UTC.',
      tags: ['rotating_light', 'acme'],
      priority: 5,
      click: 'https://status.example/incidents/abc',
    });

    // Resolved and drill messages: a check mark, the default priority, the drill marked.
    await c.send(
      { contact: 'acme-status' },
      { ...message, status: 'resolved', impact: 'minor', drill: true },
    );
    const resolved = JSON.parse(stand.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
    assert.deepEqual(resolved.tags, ['white_check_mark', 'drill', 'acme']);
    assert.equal(resolved.priority, 3);
    assert.match(String(resolved.title), /^\[DRILL\] /);

    // At most 4,096 bytes: a long text of two-byte characters is cut on a character boundary.
    await c.send({ contact: 'acme-status' }, { ...message, text: 'é'.repeat(5000) });
    const cut = String((JSON.parse(stand.requests.at(-1)?.body ?? '{}') as { message: string }).message);
    assert.ok(Buffer.byteLength(cut) <= 4096, `${Buffer.byteLength(cut)} bytes`);
    assert.match(cut, /^é+…$/);

    // Rate limited and server errors are retried; a refused token is not.
    next = [
      {
        status: 429,
        headers: { 'retry-after': '30' },
        body: '{"code":42901,"http":429,"error":"limit reached"}',
      },
    ];
    const limited = await c.send({ contact: 'acme-status' }, message);
    assert.ok(!limited.ok && limited.retry && limited.retryAfterMs === 30_000);
    next = [{ status: 502, body: 'bad gateway' }];
    const down = await c.send({ contact: 'acme-status' }, message);
    assert.ok(!down.ok && down.retry);
    next = [{ status: 403, body: '{"code":40301,"http":403,"error":"forbidden"}' }];
    const refused = await c.send({ contact: 'acme-status' }, message);
    assert.ok(!refused.ok && !refused.retry);
    assert.match(refused.ok ? '' : refused.reason, /HTTP 403/);
  } finally {
    await c.close();
  }
});

test('ntfy: without a token no Authorization header is sent; a topic is letters, digits, - and _', async () => {
  const parsed = ChannelsSection.parse({
    alerts: { type: 'ntfy', server: stand.url, topic: 'open_topic' },
  }).alerts;
  assert.ok(parsed?.type === 'ntfy');
  const c = ntfy.create('alerts', parsed, deps);
  try {
    next = [published('a1')];
    await c.send({ contact: 'open_topic' }, message);
    assert.equal(stand.requests.at(-1)?.headers.authorization, undefined);
  } finally {
    await c.close();
  }
  assert.equal(ChannelsSection.safeParse({ alerts: { type: 'ntfy', topic: 'has space' } }).success, false);
  assert.equal(
    ChannelsSection.safeParse({ alerts: { type: 'ntfy', topic: 'env:NTFY_TOPIC' } }).success,
    true,
  );
});

for (const dialect of dialects) {
  test(`ntfy: an update for an audience that lists the channel is published once [${dialect.name}]`, async () => {
    const server = await startReceiver(() => published('n0TfY1d'));
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  webhook: { type: webhook }
  status-ntfy: { type: ntfy, server: "${server.url}", topic: env:NTFY_TOPIC, token: env:NTFY_TOKEN }`,
        audiences: { public: ['status-page', 'status-ntfy'], enterprise: ['webhook'] },
        env: { NTFY_TOPIC: 'acme-status', NTFY_TOKEN: 'tk_0123456789abcdef' },
      });
      const text = 'Card payments fail for some customers. Next update by 14:30 UTC.';
      const { id, updateId } = await app.declare('Checkout errors', text);
      const rows = await app.settled(updateId);
      assert.equal(server.requests.length, 1);
      const r = server.requests[0];
      assert.ok(r);
      assert.equal(r.headers.authorization, 'Bearer tk_0123456789abcdef');
      const body = JSON.parse(r.body) as Record<string, unknown>;
      assert.equal(body.topic, 'acme-status');
      assert.equal(body.message, text);
      assert.match(String(body.title), /Checkout errors/);
      assert.equal(body.click, `https://status.crier.test/incidents/${id}`);
      // Recorded like any delivery; its subscriber is the channel's account.
      assert.deepEqual(
        rows.map((d) => [d.channel, d.subscriber_id, d.state, d.via, d.provider_id]),
        [['status-ntfy', 'account:status-ntfy', 'sent', 'status-ntfy', 'n0TfY1d']],
      );

      // An audience that does not list the channel does not reach its topic.
      const other = await app.declare(
        'Reports are slow',
        'Reports are slow. Next update by 15:00 UTC.',
        'enterprise',
      );
      assert.deepEqual(await app.settled(other.updateId), []);
      assert.equal(server.requests.length, 1);
    } finally {
      await app?.close();
      await server.close();
    }
  });
}
