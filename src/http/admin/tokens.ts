import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditQuery, listAudit } from '../../services/audit-log.ts';
import { CreateTokenInput, createToken, listTokens, revokeToken } from '../../services/tokens/tokens.ts';
import { sendPage } from './list.ts';

const manage = { action: 'token.manage' } as const;

export const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/tokens', { config: manage, schema: { tags: ['tokens'] } }, async (req) => listTokens(req.ctx.db));

  app.post(
    '/tokens',
    { config: manage, schema: { tags: ['tokens'], body: CreateTokenInput } },
    async (req, reply) => reply.code(201).send(await createToken(req.ctx, req.body)),
  );

  app.delete(
    '/tokens/:id',
    { config: manage, schema: { tags: ['tokens'], params: z.object({ id: z.string().min(1).max(64) }) } },
    async (req) => revokeToken(req.ctx, req.params.id),
  );

  app.get(
    '/audit',
    { config: { action: 'audit.read' }, schema: { tags: ['audit'], querystring: AuditQuery } },
    async (req, reply) => sendPage(reply, await listAudit(req.ctx.db, req.query)),
  );
};
