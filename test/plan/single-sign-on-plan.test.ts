/**
 * `single_sign_on:` in the plan: an issuer URL, a client id, the secret as
 * `env:NAME` only (set in the server's environment when checked with it),
 * and claim values mapped to roles of the permission table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';

const plan = (sso: string) => `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
single_sign_on:
${sso}
`;

function problemsOf(text: string, env?: Record<string, string>): Record<string, string> {
  const result = readPlan(text, env ? { env } : {});
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

test('single sign-on in the plan: what it takes, with the secret from the environment', () => {
  const good = plan(`  issuer: https://id.acme.example
  client_id: crier
  client_secret: env:CRIER_SSO_SECRET
  roles: { comms: comms_lead, "Platform Admins": admin }`);
  const read = readPlan(good, { env: { CRIER_SSO_SECRET: 's3cret' } });
  assert.ok(read.ok);
  assert.deepEqual(read.plan.single_sign_on, {
    issuer: 'https://id.acme.example',
    client_id: 'crier',
    client_secret: 'env:CRIER_SSO_SECRET',
    role_claim: 'groups',
    roles: { comms: 'comms_lead', 'Platform Admins': 'admin' },
  });
  assert.deepEqual(problemsOf(good, {}), {
    'single_sign_on.client_secret': 'environment variable CRIER_SSO_SECRET is not set',
  });
  // Without an environment to check against (an editor, a file checked elsewhere), the reference is enough.
  assert.deepEqual(problemsOf(good), {});
  // No secret: a public client with PKCE.
  assert.deepEqual(problemsOf(plan('  issuer: https://id.acme.example\n  client_id: crier'), {}), {});
});

test('single sign-on in the plan: a secret in clear, a bad issuer or role, a missing id are refused', () => {
  assert.deepEqual(
    problemsOf(
      plan(`  issuer: ftp://id.acme.example
  client_secret: hunter2
  roles: { comms: emperor }
  colour: blue`),
    ),
    {
      'single_sign_on.issuer': 'Invalid URL',
      'single_sign_on.client_id': 'Invalid input: expected string, received undefined',
      'single_sign_on.client_secret': 'written env:NAME: the secret stays in the environment',
      'single_sign_on.roles.comms':
        'Invalid option: expected one of "admin"|"incident_lead"|"comms_lead"|"support_lead"|"responder"|"viewer"',
      single_sign_on: 'Unrecognized key: "colour"',
    },
  );
});
