/**
 * Single sign-on with OpenID Connect (openid-client): the authorization
 * code flow with PKCE, state and nonce, kept for ten minutes in an HttpOnly
 * cookie scoped to /console/sso. The provider vouches for an email; that
 * person must already be a user (nobody is created here), and a role the
 * configured claim maps to becomes theirs. The settings are the
 * environment's (CRIER_OIDC_*) or else the plan in force's, read at each
 * sign-in, so applying a plan turns single sign-on on, off or elsewhere.
 * The session is the same kind a password opens.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type * as Oidc from 'openid-client';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { importOnFirstUse } from '../../domain/first-use.ts';
import { type Role, roles } from '../../domain/permissions.ts';
import { signInWithIdentity } from '../../services/users/sessions.ts';
import { type SingleSignOn, singleSignOn } from '../../services/users/single-sign-on.ts';
import type { BaseCtx } from '../auth.ts';
import { setSessionCookie } from '../session.ts';
import { html } from './html.ts';

// openid-client (ESM only) is loaded with the first sign-in through a provider: most processes
// never use it.
const openid = importOnFirstUse(() => import('openid-client'));

import { anonymousCtx, sendPage } from './page.ts';

type Sso = Pick<SingleSignOn, 'roleClaim' | 'roles'>;
const flowCookie = 'crier_sso';
const flowPath = '/console/sso';

/** What the flow cookie carries from the redirect to the callback. */
const SsoFlow = z.object({ verifier: z.string(), state: z.string(), nonce: z.string() });

/** The role the claim's values map to; the first of the permission table's order when several do. */
export function roleFromClaims(sso: Sso, claims: Record<string, unknown>): Role | null {
  const value = claims[sso.roleClaim];
  const values = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  const mapped = new Set(values.map((v) => sso.roles[v]).filter((r) => r !== undefined));
  return roles.find((r) => mapped.has(r)) ?? null;
}

function refuse(reply: FastifyReply, status: number, text: string): FastifyReply {
  return sendPage(reply, status, {
    title: 'Sign in',
    main: html`<h1>Sign in</h1><p><a href="/console/sign-in">Back to sign-in</a></p>`,
    notice: { kind: 'error', text },
  });
}

export function ssoRoutes(base: BaseCtx) {
  const fromEnv = base.config.oidc;
  const unknown = Object.entries(fromEnv?.roles ?? {}).filter(
    ([, r]) => !(roles as readonly string[]).includes(r),
  );
  if (unknown.length > 0) {
    throw new Error(
      `CRIER_OIDC_ROLES names unknown roles (${unknown.map(([v, r]) => `${v}=${r}`).join(', ')}); roles: ${roles.join(', ')}.`,
    );
  }
  const redirectUri = `${base.config.publicUrl}/console/sso/callback`;
  const secure = base.config.publicUrl.startsWith('https:');
  // The provider's configuration, discovered on first use for the settings in force; again after a
  // failure (a provider down at start is not fatal) or once the settings change.
  let discovered: { key: string; configuration: Promise<Oidc.Configuration> } | undefined;
  const configuration = (sso: SingleSignOn) => {
    const key = JSON.stringify([sso.issuer, sso.clientId, sso.clientSecret ?? null]);
    if (discovered?.key !== key) {
      const entry = {
        key,
        configuration: openid()
          .then((oidc) =>
            oidc.discovery(
              new URL(sso.issuer),
              sso.clientId,
              sso.clientSecret,
              undefined,
              sso.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined,
            ),
          )
          .catch((err: unknown) => {
            if (discovered === entry) discovered = undefined;
            throw err;
          }),
      };
      discovered = entry;
    }
    return discovered.configuration;
  };
  const notConfigured = (reply: FastifyReply) =>
    refuse(reply, 404, 'Single sign-on is not configured here; sign in with your password.');

  return async (app: FastifyInstance) => {
    app.get(flowPath, async (req, reply) => {
      const sso = await singleSignOn(base);
      if (sso === null) return notConfigured(reply);
      const oidc = await openid();
      let config: Oidc.Configuration;
      try {
        config = await configuration(sso);
      } catch (err) {
        req.log.warn({ err }, 'OpenID provider discovery failed');
        return refuse(
          reply,
          503,
          'The single sign-on provider cannot be reached; try again, or use your password.',
        );
      }
      const verifier = oidc.randomPKCECodeVerifier();
      const flow = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
      reply.setCookie(flowCookie, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
        path: flowPath,
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: 600,
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return reply.redirect(url.href, 303);
    });

    app.get(`${flowPath}/callback`, async (req, reply) => {
      reply.clearCookie(flowCookie, { path: flowPath, httpOnly: true, sameSite: 'lax', secure });
      let flow: z.output<typeof SsoFlow>;
      try {
        flow = SsoFlow.parse(
          JSON.parse(Buffer.from(req.cookies[flowCookie] ?? '', 'base64url').toString('utf8')),
        );
      } catch {
        return refuse(reply, 400, 'This sign-in took too long or was started elsewhere; start again.');
      }
      const sso = await singleSignOn(base);
      if (sso === null) return notConfigured(reply);
      let email: string;
      let role: Role | null;
      try {
        const oidc = await openid();
        const config = await configuration(sso);
        const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
        const tokens = await oidc.authorizationCodeGrant(config, new URL(`${redirectUri}${query}`), {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new Error('no ID token claims');
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        const claims: Record<string, unknown> = { ...idClaims, ...info };
        if (typeof claims.email !== 'string' || claims.email_verified === false) {
          return refuse(reply, 401, 'The provider gave no verified email address for you.');
        }
        email = claims.email;
        role = roleFromClaims(sso, claims);
      } catch (err) {
        req.log.warn({ err }, 'OpenID sign-in failed');
        return refuse(reply, 401, 'The single sign-on did not complete; start again.');
      }
      try {
        const session = await signInWithIdentity(anonymousCtx(base, req), { email, role, address: req.ip });
        setSessionCookie(reply, base.config, session.secret);
        return reply.redirect('/console', 303);
      } catch (err) {
        if (err instanceof CrierError && err.code === 'sign_in_failed')
          return refuse(reply, 403, err.message);
        throw err;
      }
    });
  };
}
