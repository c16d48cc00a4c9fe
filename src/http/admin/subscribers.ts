/** Admin API for subscribers and deliveries. */
import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { issuePageLink, revokePageLinks } from '../../services/pages/links.ts';
import { exportSubscribers, ImportResult, importSubscribers } from '../../services/subscribers/csv.ts';
import {
  deleteSubscriber,
  ReplayInput,
  ReplayResult,
  replayDeliveries,
  replayDelivery,
} from '../../services/subscribers/manage.ts';
import {
  countSubscribers,
  DeliveryQuery,
  DeliveryView,
  getSubscriber,
  listDeliveries,
  listSubscribers,
  SubscriberCounts,
  SubscriberQuery,
  UpdateDeliveryCounts,
  updateDeliveryCounts,
} from '../../services/subscribers/queries.ts';
import { AddSubscriberInput, addSubscriber } from '../../services/subscribers/subscribe.ts';
import { SubscriberView } from '../../services/subscribers/views.ts';
import { requireUpdate } from '../../services/updates/rows.ts';
import { warned, withWarnings, wrappedOrBare } from '../statuspage-body.ts';
import { ignoredOnSubscribers } from '../statuspage-fields.ts';
import { sendPage } from './list.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const UpdateParams = IdParams.extend({ uid: z.string().min(1).max(64) });
const ImportQuery = z.object({
  confirm: z.enum(['true', 'false']).default('false'),
  audience: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/)
    .optional(),
});
const ExportQuery = z.object({ audience: z.string().max(64).optional() });
const tags = ['subscribers'];
const deliveryTags = ['deliveries'];

export function subscriberRoutes(offered: (audience: string) => ReadonlySet<string>): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/subscribers',
      {
        config: { action: 'subscriber.read' },
        schema: {
          operationId: 'listSubscribers',
          summary: 'List and search subscribers',
          tags,
          querystring: SubscriberQuery,
          response: { 200: z.array(SubscriberView) },
        },
      },
      async (req, reply) => sendPage(reply, await listSubscribers(req.ctx, req.query)),
    );

    app.post(
      '/subscribers',
      {
        config: { action: 'subscriber.write' },
        schema: {
          operationId: 'addSubscriber',
          summary: 'Add a subscriber',
          tags,
          body: wrappedOrBare('subscriber', AddSubscriberInput, { ignored: ignoredOnSubscribers }),
          response: { 201: warned(SubscriberView) },
        },
      },
      async (req, reply) => {
        const { input, warnings } = req.body;
        const added = await addSubscriber(req.ctx, input, offered(input.audience ?? 'public'));
        return reply.code(201).send(withWarnings(added, warnings));
      },
    );

    app.get(
      '/subscribers/counts',
      {
        config: { action: 'read' },
        schema: {
          operationId: 'countSubscribers',
          summary: 'Count subscribers by kind and state',
          tags,
          querystring: ExportQuery,
          response: { 200: SubscriberCounts },
        },
      },
      async (req) => countSubscribers(req.ctx.db, req.query.audience),
    );

    await app.register(importRoute(offered));

    app.get(
      '/subscribers/export',
      {
        config: { action: 'subscriber.read' },
        schema: {
          operationId: 'exportSubscribers',
          summary: 'Export subscribers as CSV',
          tags,
          querystring: ExportQuery,
          produces: ['text/csv'],
        },
      },
      async (req, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="subscribers.csv"')
          .send(Readable.from(exportSubscribers(req.ctx, req.query.audience))),
    );

    app.get(
      '/subscribers/:id',
      {
        config: { action: 'subscriber.read' },
        schema: {
          operationId: 'getSubscriber',
          summary: 'Get a subscriber',
          tags,
          params: IdParams,
          response: { 200: SubscriberView },
        },
      },
      async (req) => getSubscriber(req.ctx, req.params.id),
    );

    app.delete(
      '/subscribers/:id',
      {
        config: { action: 'subscriber.write' },
        schema: {
          operationId: 'deleteSubscriber',
          summary: 'Delete a subscriber (messages not sent yet are dropped)',
          tags,
          params: IdParams,
          response: { 204: z.null().describe('Deleted.') },
        },
      },
      async (req, reply) => {
        await deleteSubscriber(req.ctx, req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/subscribers/:id/page-link',
      {
        config: { action: 'subscriber.write' },
        schema: {
          operationId: 'issueSubscriberPageLink',
          summary: "A fresh link to the subscriber's private page",
          description:
            "Signs a link to the private page of the subscriber's audience (`/a/AUDIENCE/`), valid for 30 days; the messages the subscriber receives carry one too. `audience_not_found` when the audience has no private page opened by links.",
          tags,
          params: IdParams,
          response: {
            200: z.object({
              url: z.string().describe('The link; it holds a secret, so send it to the subscriber only.'),
              expires_at: z.string(),
            }),
          },
        },
      },
      async (req) => issuePageLink(req.ctx, req.params.id),
    );

    app.delete(
      '/subscribers/:id/page-link',
      {
        config: { action: 'subscriber.write' },
        schema: {
          operationId: 'revokeSubscriberPageLinks',
          summary: "Revoke the subscriber's private-page links",
          description:
            'Every link signed for the subscriber until now stops opening the private page, including the cookie a visit left in their browser; a link issued later works.',
          tags,
          params: IdParams,
          response: { 200: z.object({ revoked_before: z.string() }) },
        },
      },
      async (req) => revokePageLinks(req.ctx, req.params.id),
    );

    app.get(
      '/subscribers/:id/deliveries',
      {
        config: { action: 'subscriber.read' },
        schema: {
          operationId: 'listSubscriberDeliveries',
          summary: "A subscriber's delivery log",
          tags,
          params: IdParams,
          querystring: DeliveryQuery.omit({ subscriber_id: true }),
          response: { 200: z.array(DeliveryView) },
        },
      },
      async (req, reply) => {
        await getSubscriber(req.ctx, req.params.id);
        return sendPage(reply, await listDeliveries(req.ctx, { ...req.query, subscriber_id: req.params.id }));
      },
    );

    app.get(
      '/deliveries',
      {
        config: { action: 'subscriber.read' },
        schema: {
          operationId: 'listDeliveries',
          summary: 'List deliveries',
          tags: deliveryTags,
          querystring: DeliveryQuery,
          response: { 200: z.array(DeliveryView) },
        },
      },
      async (req, reply) => sendPage(reply, await listDeliveries(req.ctx, req.query)),
    );

    app.get(
      '/deliveries/summary',
      {
        config: { action: 'read' },
        schema: {
          operationId: 'getDeliverySummary',
          summary: "How far an update's notifications have gone, by channel and state",
          tags: deliveryTags,
          querystring: z.object({ update_id: z.string().min(1).max(200) }),
          response: { 200: UpdateDeliveryCounts },
        },
      },
      async (req) => updateDeliveryCounts(req.ctx.db, req.query.update_id),
    );

    app.post(
      '/deliveries/replay',
      {
        config: { action: 'delivery.replay' },
        schema: {
          operationId: 'replayDeliveries',
          summary: 'Replay dead deliveries: of an incident, an update, a channel, or all of them',
          tags: deliveryTags,
          body: ReplayInput,
          response: { 200: ReplayResult },
        },
      },
      async (req) => replayDeliveries(req.ctx, req.body),
    );

    app.post(
      '/deliveries/:id/replay',
      {
        config: { action: 'delivery.replay' },
        schema: {
          operationId: 'replayDelivery',
          summary: 'Replay one dead delivery',
          tags: deliveryTags,
          params: IdParams,
          response: { 200: ReplayResult },
        },
      },
      async (req) => replayDelivery(req.ctx, req.params.id),
    );

    app.get(
      '/incidents/:id/updates/:uid/deliveries',
      {
        config: { action: 'read' },
        schema: {
          operationId: 'getUpdateDeliveries',
          summary: "How far an update's notifications have gone (as GET /deliveries/summary)",
          tags: ['incidents'],
          params: UpdateParams,
          response: { 200: UpdateDeliveryCounts },
        },
      },
      async (req) => {
        const update = await requireUpdate(req.ctx.db, req.params.id, req.params.uid);
        return updateDeliveryCounts(req.ctx.db, update.id);
      },
    );
  };
}

/**
 * The CSV import, in a context of its own so that only this route reads
 * text/csv. The body is read by the import as a stream, bounded by
 * CRIER_IMPORT_MAX_BYTES; when it stops early (too large, unreadable), the
 * rest of the upload is read and dropped before the answer, rather than the
 * connection cut, so that the client, still sending, gets the answer.
 */
function importRoute(offered: (audience: string) => ReadonlySet<string>): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser('text/csv', (_req, _payload, done) => done(null, undefined));
    app.post(
      '/subscribers/import',
      {
        config: { action: 'subscriber.write' },
        schema: {
          operationId: 'importSubscribers',
          summary: 'Import subscribers from CSV',
          description:
            'Send `content-type: text/csv` with a header row naming the columns: email, phone, voice, webhook, ' +
            'slack, teams, discord, component_ids, locale. `confirm=true` asks each for double opt-in. ' +
            'At most CRIER_IMPORT_MAX_BYTES (413 past it); a file that cannot be read is refused whole ' +
            '(400 csv_invalid, naming the line).',
          tags,
          querystring: ImportQuery,
          consumes: ['text/csv'],
          response: { 200: ImportResult },
        },
      },
      async (req, reply) => {
        const type = String(req.headers['content-type'] ?? '');
        if (!type.startsWith('text/csv')) {
          throw new CrierError('unsupported_media_type', 'Send the subscribers as content-type: text/csv.');
        }
        const declared = Number(req.headers['content-length']);
        // Through a pipe, so the import can stop reading without the request (and its socket) going with it.
        const body = req.raw.pipe(new PassThrough());
        try {
          return await importSubscribers(req.ctx, body, {
            confirm: req.query.confirm === 'true',
            ...(req.query.audience && { audience: req.query.audience }),
            offered: offered(req.query.audience ?? 'public'),
            ...(Number.isFinite(declared) && { declaredBytes: declared }),
          });
        } finally {
          req.raw.unpipe(body);
          if (!(await discardRest(req.raw, 30_000))) reply.header('connection', 'close');
        }
      },
    );
  };
}

/**
 * Reads what is left of a request and drops it, for at most `ms`. True when
 * the request ended; false when it was still arriving (the answer then closes
 * the connection). Answering first does not work: once a keep-alive answer is
 * out, Node.js stops reading the request, and a client still sending stalls.
 */
function discardRest(req: IncomingMessage, ms: number): Promise<boolean> {
  if (req.complete || req.readableEnded || req.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ended: boolean) => {
      clearTimeout(timer);
      req.off('end', onEnd);
      req.off('close', onEnd);
      resolve(ended);
    };
    const onEnd = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    req.on('end', onEnd);
    req.on('close', onEnd);
    req.resume();
  });
}
