import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEntryView, AuditQuery, listAudit } from '../../services/audit-log.ts';
import {
  CreatedTokenView,
  CreateTokenInput,
  createToken,
  listTokens,
  revokeToken,
  TokenView,
} from '../../services/tokens/tokens.ts';
import { sendPage } from './list.ts';

const manage = { action: 'token.manage' } as const;
const tags = ['tokens'];

export const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/tokens',
    {
      config: manage,
      schema: {
        operationId: 'listTokens',
        summary: 'List API tokens',
        tags,
        response: { 200: z.array(TokenView) },
      },
    },
    async (req) => listTokens(req.ctx),
  );

  app.post(
    '/tokens',
    {
      config: manage,
      schema: {
        operationId: 'createToken',
        summary: 'Create an API token (its secret is answered once)',
        tags,
        body: CreateTokenInput,
        response: { 201: CreatedTokenView },
      },
    },
    async (req, reply) => reply.code(201).send(await createToken(req.ctx, req.body)),
  );

  app.delete(
    '/tokens/:id',
    {
      config: manage,
      schema: {
        operationId: 'revokeToken',
        summary: 'Revoke an API token',
        tags,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: TokenView },
      },
    },
    async (req) => revokeToken(req.ctx, req.params.id),
  );

  app.get(
    '/audit',
    {
      config: { action: 'audit.read' },
      schema: {
        operationId: 'listAudit',
        summary: 'Read the audit log, newest first',
        tags: ['audit'],
        querystring: AuditQuery,
        response: { 200: z.array(AuditEntryView) },
      },
    },
    async (req, reply) => sendPage(reply, await listAudit(req.ctx, req.query)),
  );
};
