/** The test plan, applied through the real service, with the secrets it names set. */
import { readFileSync } from 'node:fs';
import type { Config } from '../../src/config.ts';
import type { Ctx } from '../../src/services/context.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import { testConfig } from './db.ts';

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
