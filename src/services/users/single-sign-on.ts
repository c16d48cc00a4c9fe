/**
 * Where single sign-on is configured: the CRIER_OIDC_* variables, else the
 * plan in force's `single_sign_on:` with its secret read from the
 * environment. The environment wins when both are set, so an operator can
 * always override (or recover from) what a plan applied through the API
 * says about who may sign in (docs/adr/0029-single-sign-on-in-the-plan.md).
 */
import type { Config } from '../../config.ts';
import type { Db } from '../../store/db.ts';
import { currentPlan } from '../plan/current.ts';

export type SingleSignOn = NonNullable<Config['oidc']> & { readonly from: 'environment' | 'plan' };

export async function singleSignOn(base: { db: Db; config: Config }): Promise<SingleSignOn | null> {
  if (base.config.oidc) return { ...base.config.oidc, from: 'environment' };
  const spec = (await currentPlan(base.db))?.single_sign_on;
  if (!spec) return null;
  const secretName = spec.client_secret?.slice('env:'.length);
  const secret = secretName === undefined ? undefined : base.config.env[secretName];
  // Checked when the plan was applied; a variable unset since leaves single sign-on off rather than half set.
  if (secretName !== undefined && !secret) return null;
  return {
    issuer: spec.issuer,
    clientId: spec.client_id,
    clientSecret: secret,
    roleClaim: spec.role_claim,
    roles: spec.roles,
    from: 'plan',
  };
}
