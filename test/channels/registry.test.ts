/**
 * The registry is the one place providers are listed: every module is filed
 * under its own type and declares what the rest of Crier needs of it, the
 * plan's schema is built from their settings, and no code outside
 * src/channels names a provider.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { channelModules, channelTypes } from '../../src/channels/registry.ts';
import { subscriberKinds } from '../../src/channels/types.ts';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { planJsonSchema } from '../../src/plan/json-schema.ts';
import { readPlan } from '../../src/plan/load.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const src = new URL('../../src/', import.meta.url).pathname;
const deps = { allowPrivateNetwork: true, userAgent: 'crier-test' };

let stand: Receiver;
before(async () => {
  stand = await startReceiver((req) => ({
    status: 400,
    headers: { 'content-type': 'application/json' },
    // A provider that echoes the credentials it was sent, decoded.
    body: JSON.stringify({
      code: 20003,
      message: `Authenticate ${Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString()}`,
    }),
  }));
});
after(() => stand.close());

test('each module is filed under its own type and declares what delivery and lint need', () => {
  for (const type of channelTypes) {
    const m = channelModules[type];
    assert.equal(m.type, type);
    assert.equal(m.schema.shape.type.value, type, `${type}: its schema's type`);
    for (const secret of m.secrets)
      assert.ok(secret in m.schema.shape, `${type}: secret ${secret} is a setting`);
    if ('subscribers' in m.reach) {
      for (const kind of m.reach.subscribers)
        assert.ok(subscriberKinds.includes(kind), `${type} serves ${kind}`);
    }
    assert.ok(m.maxLength === null || m.maxLength > 0);
  }
});

test("the plan's JSON Schema holds every module's settings, its secrets described as such", () => {
  const text = JSON.stringify(planJsonSchema());
  for (const type of channelTypes) assert.ok(text.includes(`"const":"${type}"`), type);
  const twilio = JSON.stringify(planJsonSchema()).match(/"token":\{[^}]*\}/)?.[0] ?? '';
  assert.match(twilio, /secret/i);
});

/** Provider types that are not also a kind of subscriber, so naming them can only mean the provider. */
const providerOnly = channelTypes.filter((t) => !(subscriberKinds as readonly string[]).includes(t));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

test('no code outside src/channels names a provider', () => {
  const found: string[] = [];
  for (const file of sources(src)) {
    if (file.startsWith(path.join(src, 'channels'))) continue;
    const text = readFileSync(file, 'utf8');
    for (const type of providerOnly) {
      if (text.includes(`'${type}'`) || text.includes(`"${type}"`))
        found.push(`${path.relative(src, file)}: ${type}`);
    }
  }
  assert.deepEqual(found, []);
});

test("a failure's reason never carries one of the channel's declared secrets", async () => {
  const set = buildChannelSet(
    {
      sms: {
        type: 'sms-twilio',
        account: 'AC0001',
        token: 'tok-very-secret-1234',
        from: '+15550100',
        endpoint: stand.url,
      },
    },
    deps,
  );
  try {
    const sms = set.channels.get('sms');
    assert.ok(sms);
    const result = await sms.send(
      { contact: '+14155550100' },
      { id: 'd1', kind: 'notice', title: 't', text: 'x' },
    );
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.retry === false);
    const reason = result.ok ? '' : result.reason;
    assert.doesNotMatch(reason, /tok-very-secret-1234/);
    assert.match(reason, /HTTP 400: .*Authenticate AC0001:\[secret\]/);
  } finally {
    await set.close();
  }
});

test("a channel's own limit counts in lint beside the plan's limit for its kind", () => {
  const long = 'Card payments fail for some customers. We are working on it. '.repeat(80);
  const plan = (chat: number) => `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, audiences: [public] }
audiences:
  public: { channels: [chat] }
channels:
  chat: { type: discord, url: https://discord.example/api/webhooks/1/x }
lint: { max_grade: 20, limits: { chat: ${chat} } }
scenarios:
  outage:
    severity: SEV1
    templates:
      investigating: ${JSON.stringify(`${long}Next update by {{ next_update_at | time }}.`)}
      resolved: All fixed.
`;
  // The plan allows 10,000 characters of chat; Discord's embed takes 4,096.
  const result = readPlan(plan(10_000));
  assert.equal(result.ok, false);
  const messages = result.ok ? '' : result.problems.map((p) => p.message).join('\n');
  assert.match(messages, /too_long.*limit is 4096/);
  assert.ok(long.length > 4096 && long.length < 10_000);
});
