/**
 * Where single sign-on's settings come from: the environment (CRIER_OIDC_*)
 * wins; else the plan in force's `single_sign_on:`, its secret read from the
 * environment; a plan whose secret's variable is unset since leaves it off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPlan } from '../../src/services/plan/current.ts';
import { singleSignOn } from '../../src/services/users/single-sign-on.ts';
import { eachDialect, testConfig, testCtx } from '../helpers/db.ts';

const plan = (sso: string) => `page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
${sso}`;

const inPlan = `single_sign_on:
  issuer: https://id.acme.example
  client_id: crier-from-plan
  client_secret: env:SSO_SECRET
  role_claim: roles
  roles: { comms: comms_lead }
`;

eachDialect(test, 'single sign-on: the environment wins, else the plan in force', async (db) => {
  const env = { SSO_SECRET: 'from-the-environment' };
  const ctx = testCtx(db, { config: testConfig(env) });
  assert.equal(await singleSignOn(ctx), null, 'neither: passwords only');

  await applyPlan(ctx, { source: plan(inPlan) });
  assert.deepEqual(await singleSignOn(ctx), {
    issuer: 'https://id.acme.example',
    clientId: 'crier-from-plan',
    clientSecret: 'from-the-environment',
    roleClaim: 'roles',
    roles: { comms: 'comms_lead' },
    from: 'plan',
  });

  const both = testConfig({
    ...env,
    CRIER_OIDC_ISSUER: 'https://login.acme.example',
    CRIER_OIDC_CLIENT_ID: 'crier-from-env',
    CRIER_OIDC_ROLES: 'ops=incident_lead',
  });
  const fromEnv = await singleSignOn({ db, config: both });
  assert.deepEqual(
    [fromEnv?.from, fromEnv?.issuer, fromEnv?.clientId, fromEnv?.roles],
    ['environment', 'https://login.acme.example', 'crier-from-env', { ops: 'incident_lead' }],
  );

  // The plan's secret unset since it was applied: off, not half configured.
  assert.equal(await singleSignOn({ db, config: testConfig() }), null);

  // A plan applied without the section turns it off.
  await applyPlan(ctx, { source: plan('') });
  assert.equal(await singleSignOn(ctx), null);
});
