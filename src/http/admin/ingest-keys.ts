import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertView, ListAlertsQuery, listAlerts } from '../../services/ingest/alerts.ts';
import {
  CreatedIngestKeyView,
  CreateIngestKeyInput,
  createIngestKey,
  IngestKeyView,
  listIngestKeys,
  revokeIngestKey,
} from '../../services/ingest/keys.ts';
import { sendPage } from './list.ts';

const manage = { action: 'token.manage' } as const;
const tags = ['ingest'];

export const ingestKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/ingest-keys',
    {
      config: manage,
      schema: {
        operationId: 'listIngestKeys',
        summary: 'List ingest keys',
        tags,
        response: { 200: z.array(IngestKeyView) },
      },
    },
    async (req) => listIngestKeys(req.ctx),
  );

  app.post(
    '/ingest-keys',
    {
      config: manage,
      schema: {
        operationId: 'createIngestKey',
        summary: 'Create an ingest key for a source (the key is answered once)',
        tags,
        body: CreateIngestKeyInput,
        response: { 201: CreatedIngestKeyView },
      },
    },
    async (req, reply) => reply.code(201).send(await createIngestKey(req.ctx, req.body)),
  );

  app.delete(
    '/ingest-keys/:id',
    {
      config: manage,
      schema: {
        operationId: 'revokeIngestKey',
        summary: 'Revoke an ingest key',
        tags,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: IngestKeyView },
      },
    },
    async (req) => revokeIngestKey(req.ctx, req.params.id),
  );

  app.get(
    '/alerts',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listAlerts',
        summary: 'List alerts received, latest first',
        tags,
        querystring: ListAlertsQuery,
        response: { 200: z.array(AlertView) },
      },
    },
    async (req, reply) => sendPage(reply, await listAlerts(req.ctx, req.query)),
  );
};
