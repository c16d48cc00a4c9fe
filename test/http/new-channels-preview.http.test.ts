/**
 * Every channel added for issue 18 (voice, fcm, apns, mastodon, bluesky, x)
 * in the per-channel preview, with what bounds it: a call's seconds to say,
 * a push body's characters, a post's characters as its network counts
 * them; in an update's delivery counts and in replay, a subscriber's
 * kind (voice, fcm, apns) and a broadcast account (mastodon, bluesky, x)
 * alike; and in the plan's fallbacks: a call or a push may fall back to
 * another provider of its kind, a post to an account may not.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const { privateKey } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const serviceAccount = JSON.stringify({
  project_id: 'p',
  client_email: 'c@p.iam.gserviceaccount.com',
  private_key: privateKey,
});

const channels = `
  voice: { type: voice-twilio, account: AC00000000000000000000000000000005, token: tok, from: "+15550199" }
  fcm: { type: fcm, service_account: ${JSON.stringify(serviceAccount)} }
  apns: { type: apns, team_id: TEAM123456, key_id: KEY1234567, private_key: ${JSON.stringify(privateKey)}, topic: com.example.app }
  toots: { type: mastodon, server: "https://mastodon.example", token: mastodon-token }
  sky: { type: bluesky, identifier: acme.bsky.social, app_password: abcd-efgh-ijkl-mnop }
  xs: { type: x, account: "@acme_status", app_key: k, app_secret: s, access_token: t, access_secret: u }`;

const plan = (extra = '') => `version: 1
page: { name: Channels, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, voice, fcm, apns, toots, sky, xs] }
channels:${channels}${extra}
`;

interface ChannelPreview {
  channel: string;
  type: string;
  kind: string;
  length: number;
  limit: number | null;
  unit: string;
  seconds: number | null;
  fits: boolean;
}

for (const dialect of dialects) {
  test(`the preview shows each new channel with its length or duration [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_PUBLIC_URL: 'https://status.crier.test' } });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const applied = await inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: plan() },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      const body = 'Card payments fail for some customers. Next update by 14:30 UTC.';
      const declared = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: t.auth('admin'),
        payload: { name: 'Card payments', severity: 'SEV3', body },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const incident = JSON.parse(declared.body) as { id: string; incident_updates: { id: string }[] };
      const preview = await inject({
        method: 'GET',
        url: `/api/v1/incidents/${incident.id}/updates/${incident.incident_updates[0]?.id}/preview`,
        headers: t.auth('admin'),
      });
      assert.equal(preview.statusCode, 200, preview.body);
      const shown = new Map(
        (JSON.parse(preview.body).channels as ChannelPreview[]).map((c) => [
          c.channel,
          [c.type, c.kind, c.unit, c.limit, c.seconds, c.fits],
        ]),
      );
      assert.deepEqual(Object.fromEntries(shown), {
        'status-page': ['status-page', 'page', 'characters', null, null, true],
        // 12 words (14:30 is two) at 150 a minute.
        voice: ['voice-twilio', 'voice', 'seconds', 45, 5, true],
        fcm: ['fcm', 'push', 'characters', 240, null, true],
        apns: ['apns', 'push', 'characters', 240, null, true],
        toots: ['mastodon', 'social', 'characters', 280, null, true],
        sky: ['bluesky', 'social', 'characters', 280, null, true],
        xs: ['x', 'social', 'characters', 280, null, true],
      });
      const lengths = (JSON.parse(preview.body).channels as ChannelPreview[]).map((c) => c.length);
      for (const length of lengths) assert.ok(length >= body.length, String(length));
    } finally {
      await t.close();
    }
  });
}

for (const dialect of dialects) {
  test(`each new channel's dead deliveries are counted per channel and replayed by channel [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_PUBLIC_URL: 'https://status.crier.test' } });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const applied = await inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: plan() },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      const subscribers: Record<string, string> = {};
      for (const [channel, payload] of [
        ['voice', { voice: '+14155550100' }],
        ['fcm', { device_token: `fcm-token-${'a'.repeat(30)}`, platform: 'fcm' }],
        ['apns', { device_token: 'ab'.repeat(32), platform: 'apns' }],
      ] as const) {
        const added = await inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: t.auth('admin'),
          payload,
        });
        assert.equal(added.statusCode, 201, `${channel}: ${added.body}`);
        subscribers[channel] = JSON.parse(added.body).id;
      }
      const declared = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: t.auth('admin'),
        payload: {
          name: 'Card payments',
          severity: 'SEV3',
          body: 'Card payments fail. Next update by 14:30 UTC.',
        },
      });
      const incident = JSON.parse(declared.body) as { id: string; incident_updates: { id: string }[] };
      const updateId = incident.incident_updates[0]?.id ?? '';
      // Each channel's delivery of the update, given up on (as a provider outage leaves them).
      const now = new Date().toISOString();
      const channelNames = ['voice', 'fcm', 'apns', 'toots', 'sky', 'xs'];
      await t.app.db.deleteFrom('deliveries').where('subject_id', '=', updateId).execute();
      await t.app.db
        .insertInto('deliveries')
        .values(
          channelNames.map((channel, i) => ({
            id: `dead${i}`,
            subject_type: 'incident_update',
            subject_id: updateId,
            incident_id: incident.id,
            subscriber_id: subscribers[channel] ?? `account:${channel}`,
            channel,
            via: channel,
            state: 'dead' as const,
            attempts: 6,
            next_attempt_at: now,
            lease_until: null,
            provider_id: null,
            last_error: 'HTTP 503',
            created_at: now,
            updated_at: now,
            sent_at: null,
          })),
        )
        .execute();
      const counts = async () => {
        const res = await inject({
          method: 'GET',
          url: `/api/v1/incidents/${incident.id}/updates/${updateId}/deliveries`,
          headers: t.auth('admin'),
        });
        assert.equal(res.statusCode, 200, res.body);
        return JSON.parse(res.body).by_channel as Record<string, Record<string, number>>;
      };
      assert.deepEqual(await counts(), Object.fromEntries(channelNames.map((c) => [c, { dead: 1 }])));
      for (const channel of channelNames) {
        const replayed = await inject({
          method: 'POST',
          url: '/api/v1/deliveries/replay',
          headers: t.auth('incident_lead'),
          payload: { update_id: updateId, channel },
        });
        assert.deepEqual(JSON.parse(replayed.body), { replayed: 1 }, channel);
      }
      assert.deepEqual(await counts(), Object.fromEntries(channelNames.map((c) => [c, { pending: 1 }])));
    } finally {
      await t.close();
    }
  });
}

test('a call or a push falls back to another provider of its kind; a post to an account cannot', () => {
  const fallbacks = `
  voice-backup: { type: voice-twilio, account: AC00000000000000000000000000000006, token: tok, from: "+15550198" }
  fcm-backup: { type: fcm, service_account: ${JSON.stringify(serviceAccount)} }`;
  const withFallbacks = plan(fallbacks)
    .replace('from: "+15550199" }', 'from: "+15550199", fallback: voice-backup }')
    .replace(/(fcm: \{ type: fcm, service_account: .*?) \}\n/, '$1, fallback: fcm-backup }\n');
  assert.match(withFallbacks, /fallback: voice-backup \}\n/);
  assert.match(withFallbacks, /fallback: fcm-backup \}\n/);
  const ok = readPlan(withFallbacks);
  assert.equal(ok.ok, true, ok.ok ? '' : JSON.stringify(ok.problems));
  const refused = readPlan(
    plan().replace('token: mastodon-token }', 'token: mastodon-token, fallback: sky }'),
  );
  assert.equal(refused.ok, false);
  assert.match(
    refused.ok ? '' : (refused.problems.find((p) => p.path === 'channels.toots.fallback')?.message ?? ''),
    /posts to its own account: no other channel can stand in for it/,
  );
});
