/**
 * `POST /ingest/:source/:key`: where monitoring systems post alerts. The key
 * (src/services/ingest/keys.ts) is checked first: an unknown source, an
 * unknown key, a revoked one or one made for another source all get the same
 * 401, and repeated failures from one address are cut off. Then the source's
 * parser reads the raw body (signatures are over its exact bytes; a Grafana
 * key's own HMAC secret, where it has one, before the install's): a payload
 * that does not parse is kept for inspection and answered 400; a bad
 * signature is logged and answered 401, and nothing is stored.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type IngestSource, isIngestSource } from '../domain/alerts.ts';
import { CrierError } from '../domain/errors.ts';
import type { Ctx } from '../services/context.ts';
import { authenticateIngestKey, type IngestKeyHolder } from '../services/ingest/keys.ts';
import { type ReceivedPayload, receiveAlerts, recordRejectedPayload } from '../services/ingest/receive.ts';
import { RateLimit } from '../services/rate-limit.ts';
import { grafanaSigningFor } from './grafana-signature.ts';
import { parsers } from './parsers.ts';
import type { ParserDeps } from './types.ts';

export type IngestDeps = Omit<Ctx, 'actor'>;

/** Bad keys from one address before it must wait: enough for a typo, not for guessing. */
const failuresPerAddress = { limit: 30, windowMs: 10 * 60_000 };
/** Requests per key: well above a busy Alertmanager, so a flood from one key cannot starve the rest. */
const requestsPerKey = { limit: 6000, windowMs: 60_000 };
const maxBodyBytes = 1024 * 1024;

export function ingestRoutes(deps: IngestDeps, parserDeps: ParserDeps) {
  const failures = new RateLimit(failuresPerAddress.limit, failuresPerAddress.windowMs);
  const perKey = new RateLimit(requestsPerKey.limit, requestsPerKey.windowMs);

  async function holderOf(req: FastifyRequest<{ Params: { source: string; key: string } }>) {
    const now = deps.clock.now();
    if (failures.spent(req.ip, now.getTime())) {
      throw new CrierError('rate_limited', 'Too many requests with unknown keys; try again later.');
    }
    const { source, key } = req.params;
    const holder = isIngestSource(source) ? await authenticateIngestKey(deps.db, source, key, now) : null;
    if (holder === null) {
      failures.hit(req.ip, now.getTime());
      throw new CrierError('unauthenticated', 'The ingest key is unknown or revoked.');
    }
    if (!perKey.hit(holder.keyId, now.getTime())) {
      throw new CrierError('rate_limited', 'Too many requests with this ingest key; try again shortly.');
    }
    return holder;
  }

  function ctxFor(req: FastifyRequest, holder: IngestKeyHolder): Ctx {
    const requestId = String(req.id);
    return {
      ...deps,
      log: deps.log.child({ request_id: requestId, ingest_source: holder.source, ingest_key: holder.prefix }),
      actor: { id: `ingest:${holder.name}`, role: 'viewer', source: req.ip, requestId },
    };
  }

  return async (app: FastifyInstance) => {
    // Every body is read as bytes, whatever its type (SNS posts JSON as text/plain): each parser
    // decodes it itself, after checking any signature over the exact bytes received.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );

    app.post<{ Params: { source: string; key: string } }>(
      '/ingest/:source/:key',
      { schema: { hide: true } },
      async (req, reply) => {
        const holder = await holderOf(req);
        const ctx = ctxFor(req, holder);
        const source: IngestSource = holder.source;
        const payload: ReceivedPayload = {
          keyId: holder.keyId,
          source,
          contentType: req.headers['content-type'] ?? null,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        };
        let outcome: Awaited<ReturnType<(typeof parsers)[IngestSource]>>;
        try {
          const grafana = grafanaSigningFor(parserDeps.grafana, holder.hmacSecret, deps.config.env);
          outcome = await parsers[source](
            { headers: req.headers, body: payload.body },
            { ...parserDeps, grafana },
          );
        } catch (err) {
          if (
            err instanceof CrierError &&
            (err.code === 'validation_failed' || err.code === 'malformed_request')
          ) {
            await recordRejectedPayload(ctx, payload, err.message);
          } else if (err instanceof CrierError && err.code === 'signature_invalid') {
            ctx.log.warn({ reason: err.message }, 'ingest request refused: bad signature');
          }
          throw err;
        }
        const alerts = outcome.kind === 'alerts' ? outcome.alerts : [];
        const result = await receiveAlerts(ctx, payload, alerts);
        if (outcome.kind === 'handled') ctx.log.info({ note: outcome.note }, 'ingest request handled');
        return reply.code(200).send(outcome.kind === 'handled' ? { ...result, note: outcome.note } : result);
      },
    );
  };
}
