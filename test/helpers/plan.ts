/** The test plan, applied through the real service, with the secrets it names set. */
import { readFileSync } from 'node:fs';
import type { Config } from '../../src/config.ts';
import type { Role } from '../../src/domain/permissions.ts';
import type { Ctx } from '../../src/services/context.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import type { Db } from '../../src/store/db.ts';
import { type TestClock, testConfig, testCtx } from './db.ts';

export const planSecrets = {
  TEST_SMTP_URL: 'smtp://127.0.0.1:2525',
  TEST_TWILIO_TOKEN: 'twilio-token',
  TEST_SLACK_INTERNAL: 'https://hooks.slack.example/internal',
  TEST_SLACK_SUPPORT: 'https://hooks.slack.example/support',
};

export const sev1PlanPath = new URL('../fixtures/plans/sev1.yaml', import.meta.url).pathname;
export const sev1Plan = readFileSync(sev1PlanPath, 'utf8');

export function planConfig(overrides: Record<string, string> = {}): Config {
  return testConfig({ ...planSecrets, CRIER_PUBLIC_URL: 'https://status.acme.example', ...overrides });
}

export async function applyTestPlan(ctx: Ctx, source = sev1Plan) {
  return applyPlan(ctx, { source });
}

/** The people of the test plan's rota, each a context with their permission role. */
export function people(db: Db, clock: TestClock) {
  const config = planConfig();
  const as = (actor: string, role: Role): Ctx =>
    testCtx(db, { clock, config, actor: `token:${actor}`, role });
  return {
    admin: as('admin@acme.example', 'admin'),
    ivy: as('ivy@acme.example', 'incident_lead'),
    carol: as('carol@acme.example', 'comms_lead'),
    rita: as('rita@acme.example', 'responder'),
    olga: as('olga@acme.example', 'incident_lead'),
  };
}
