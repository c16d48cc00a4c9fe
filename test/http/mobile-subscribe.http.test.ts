/**
 * A company's own app registers a device through the public /subscribe with
 * its platform; a bad token or platform is a clear 400 and stores nothing;
 * plan check reads both mobile push channels' settings.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { startPlanApp } from '../helpers/plan-app.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const account = JSON.stringify({
  project_id: 'p',
  client_email: 'c@p.iam.gserviceaccount.com',
  private_key: privateKey,
});

const plan = (channels: string) => `
version: 1
page: { name: Apps, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, fcm] }
channels:
${channels}
`;

const fcmChannel = `  fcm: { type: fcm, service_account: ${JSON.stringify(account)} }`;

for (const dialect of dialects) {
  test(`/subscribe takes an app's device token with its platform; bad input changes nothing [${dialect.name}]`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crier-mobile-'));
    const file = path.join(dir, 'crier.yaml');
    writeFileSync(file, plan(fcmChannel));
    const t = await startTestApp(dialect, {
      env: { CRIER_PLAN: file, CRIER_PUBLIC_URL: 'https://status.crier.test' },
    });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const count = async () => (await t.app.db.selectFrom('subscribers').selectAll().execute()).length;
      for (const [payload, field] of [
        [{ device_token: `d:${'x'.repeat(40)}`, platform: 'android' }, 'platform'],
        [{ device_token: '<script>alert(1)</script>', platform: 'fcm' }, 'device_token'],
        [{ platform: 'fcm', email: 'a@example.com' }, 'platform'],
      ] as const) {
        const bad = await inject({ method: 'POST', url: '/subscribe', payload });
        assert.equal(bad.statusCode, 400);
        const error = JSON.parse(bad.body).error;
        assert.equal(error.code, 'validation_failed');
        assert.match(JSON.stringify(error.details), new RegExp(`${field}: `));
        assert.doesNotMatch(bad.body, /<script>/);
      }
      assert.equal(await count(), 0);
      const apns = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { device_token: 'ab'.repeat(32), platform: 'apns' },
      });
      assert.equal(
        JSON.parse(apns.body).error.code,
        'channel_not_offered',
        'the public audience lists fcm only',
      );

      const token = `dev1:${'y'.repeat(60)}`;
      const ok = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { device_token: token, platform: 'fcm' },
      });
      assert.ok(ok.statusCode < 300, ok.body);
      const row = await t.app.db.selectFrom('subscribers').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([row.kind, row.contact, row.state], ['fcm', token, 'confirmed']);
    } finally {
      await t.close();
    }
  });
}

test('plan check reads the fcm and apns settings, naming what is wrong', () => {
  const good = `${fcmChannel}\n  apns: { type: apns, team_id: TEAM123456, key_id: KEY1234567, private_key: env:APNS_KEY, topic: com.example.app }`;
  const accepted = readPlan(plan(good));
  assert.ok(
    accepted.ok || !accepted.problems.some((p) => p.path.startsWith('channels.')),
    JSON.stringify(accepted),
  );
  const bad = readPlan(
    plan(
      `  fcm: { type: fcm }\n  apns: { type: apns, team_id: team, key_id: KEY1234567, private_key: k, topic: t, base_url: http://x }`,
    ),
  );
  assert.equal(bad.ok, false);
  const paths = bad.ok ? [] : bad.problems.map((p) => p.path);
  for (const p of ['channels.fcm.service_account', 'channels.apns.team_id', 'channels.apns.base_url']) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  }
});

for (const dialect of dialects) {
  test(`the preview shows each mobile push channel's title and body length [${dialect.name}]`, async () => {
    const app = await startPlanApp(dialect, {
      channels: `${fcmChannel}
  apns: { type: apns, team_id: TEAM123456, key_id: KEY1234567, private_key: env:APNS_KEY, topic: com.example.app }`,
      audiences: { public: ['status-page', 'fcm', 'apns'] },
      env: { APNS_KEY: 'not used before a send' },
    });
    try {
      const body = 'Card payments fail for some customers. Next update by 14:30 UTC.';
      const { id, updateId } = await app.declare('Checkout errors', body);
      const preview = await app.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${id}/updates/${updateId}/preview`,
        headers: app.auth,
      });
      assert.equal(preview.statusCode, 200, preview.body);
      const channels = (
        preview.json() as {
          channels: {
            channel: string;
            kind: string;
            subject: string;
            length: number;
            limit: number;
            fits: boolean;
          }[];
        }
      ).channels.filter((c) => c.channel === 'fcm' || c.channel === 'apns');
      assert.deepEqual(
        channels.map((c) => [c.channel, c.kind, c.subject, c.length, c.limit, c.fits]),
        // The body against the plan's `push` limit (240 unless `lint.limits.push` says).
        ['fcm', 'apns'].map((name) => [
          name,
          'push',
          'Checkout errors: Investigating',
          body.length,
          240,
          true,
        ]),
      );
    } finally {
      await app.close();
    }
  });
}
