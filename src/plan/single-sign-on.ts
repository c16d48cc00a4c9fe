/**
 * The plan's `single_sign_on:` section: OpenID Connect for the console,
 * as the CRIER_OIDC_* variables configure it (the environment wins when
 * both are set: docs/adr/0029-single-sign-on-in-the-plan.md). The client
 * secret is written `env:NAME` only, never in clear, since plan versions
 * are stored and shown to admins.
 */
import { z } from 'zod';
import { roles } from '../domain/permissions.ts';

const EnvRef = z
  .string()
  .regex(/^env:[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'written env:NAME: the secret stays in the environment');

export const SingleSignOnSection = z
  .strictObject({
    issuer: z
      .url({ protocol: /^https?$/ })
      .describe("The OpenID provider's issuer URL (its discovery document is read at first use)."),
    client_id: z.string().trim().min(1).max(500).describe("Crier's client id at the provider."),
    client_secret: EnvRef.optional().describe('The client secret, as env:NAME.'),
    role_claim: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .default('groups')
      .describe('The claim (a string or a list) whose values map to roles.'),
    roles: z
      .record(z.string().trim().min(1).max(200), z.enum(roles))
      .default({})
      .describe(
        'Claim value → role (admins: admin). A person whose claim maps to none keeps the role an admin gave them.',
      ),
  })
  .describe(
    'Single sign-on to the console with OpenID Connect; register PUBLIC_URL/console/sso/callback at the provider (docs/console.md). CRIER_OIDC_* in the environment win over this.',
  );
export type SingleSignOnSection = z.infer<typeof SingleSignOnSection>;

/** The client secret's variable must be set in the server's environment. */
export function checkSingleSignOn(
  section: SingleSignOnSection | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { path: string; message: string }[] {
  const secret = section?.client_secret;
  if (secret === undefined) return [];
  const name = secret.slice('env:'.length);
  return env[name]
    ? []
    : [{ path: 'single_sign_on.client_secret', message: `environment variable ${name} is not set` }];
}
