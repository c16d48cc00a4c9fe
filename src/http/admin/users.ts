import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles } from '../../domain/permissions.ts';
import { signOutEverywhere } from '../../services/users/sessions.ts';
import {
  AddedUserView,
  AddUserInput,
  addUser,
  listUsers,
  removeUser,
  setUserRole,
  UserView,
} from '../../services/users/users.ts';

const manage = { action: 'user.manage' } as const;
const tags = ['users'];
const params = z.object({ id: z.string().min(1).max(254) });

const MeView = z
  .object({
    actor: z.string().describe('Who the audit log names: user:<email> or token:<name>.'),
    role: z.enum(roles),
    user_id: z.string().nullable().describe('The signed-in person; null for an API token.'),
  })
  .meta({ id: 'Me' });

export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/users',
    {
      config: manage,
      schema: { operationId: 'listUsers', summary: 'List users', tags, response: { 200: z.array(UserView) } },
    },
    async (req) => listUsers(req.ctx),
  );

  app.post(
    '/users',
    {
      config: manage,
      schema: {
        operationId: 'addUser',
        summary: 'Add a user (answers a one-time invitation link unless a password is given)',
        tags,
        body: AddUserInput,
        response: { 201: AddedUserView },
      },
    },
    async (req, reply) => reply.code(201).send(await addUser(req.ctx, req.body)),
  );

  app.patch(
    '/users/:id',
    {
      config: manage,
      schema: {
        operationId: 'setUserRole',
        summary: "Change a user's role (by id or email)",
        tags,
        params,
        body: z.strictObject({ role: z.enum(roles) }),
        response: { 200: UserView },
      },
    },
    async (req) => setUserRole(req.ctx, req.params.id, req.body.role),
  );

  app.delete(
    '/users/:id',
    {
      config: manage,
      schema: {
        operationId: 'removeUser',
        summary: 'Remove a user (by id or email) and end their sessions',
        tags,
        params,
        response: { 200: UserView },
      },
    },
    async (req) => removeUser(req.ctx, req.params.id),
  );

  app.get(
    '/me',
    {
      config: { action: 'read' },
      schema: { operationId: 'getMe', summary: 'Who this request acts as', tags, response: { 200: MeView } },
    },
    async (req) => ({
      actor: req.ctx.actor.id,
      role: req.ctx.actor.role,
      user_id: req.ctx.actor.userId ?? null,
    }),
  );

  app.delete(
    '/me/sessions',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'signOutEverywhere',
        summary: 'End every session of the signed-in person (sign out everywhere)',
        tags,
        response: { 200: z.object({ ended: z.number().int() }) },
      },
    },
    async (req) => signOutEverywhere(req.ctx),
  );
};
