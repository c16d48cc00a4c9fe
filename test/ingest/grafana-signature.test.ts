/**
 * Which secret signs for a Grafana key: its own variable's (several during a
 * rotation), else the install's; a key whose variable is gone from the
 * environment refuses every request instead of taking it unsigned.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { grafanaSigningFor, verifyGrafana } from '../../src/ingest/grafana-signature.ts';

const body = Buffer.from('{"status":"firing","alerts":[]}');
const signed = (secret: string) => ({
  headers: { 'x-grafana-alerting-signature': createHmac('sha256', secret).update(body).digest('hex') },
  body,
});
const unsigned = { headers: {}, body };
const none = { secrets: [], now: () => 0 };
const install = { secrets: ['install-secret'], now: () => 0 };

test("a key's own variable signs for it, each of its comma-separated secrets during a rotation", () => {
  const signing = grafanaSigningFor(install, 'env:TEAM_A', { TEAM_A: ' old-a , new-a ' });
  assert.doesNotThrow(() => verifyGrafana(signed('old-a'), signing));
  assert.doesNotThrow(() => verifyGrafana(signed('new-a'), signing));
  assert.throws(() => verifyGrafana(signed('install-secret'), signing), { code: 'signature_invalid' });
  assert.throws(() => verifyGrafana(unsigned, signing), { code: 'signature_invalid' });
});

test("a key without its own secret keeps the install's, or none", () => {
  assert.equal(grafanaSigningFor(install, null, { TEAM_A: 'a' }), install);
  assert.doesNotThrow(() => verifyGrafana(unsigned, grafanaSigningFor(none, null, {})));
});

test('a key whose variable is gone refuses even a request signed under the old value, and an unsigned one', () => {
  for (const env of [{}, { TEAM_A: '' }, { TEAM_A: ' , ' }]) {
    const signing = grafanaSigningFor(none, 'env:TEAM_A', env);
    assert.throws(() => verifyGrafana(unsigned, signing), {
      code: 'signature_invalid',
      message: /TEAM_A\) is not set in Crier's environment/,
    });
    assert.throws(() => verifyGrafana(signed('a'), signing), { code: 'signature_invalid' });
  }
});
