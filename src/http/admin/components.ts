import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreateComponentInput, createComponent } from '../../services/components/create.ts';
import { deleteComponent } from '../../services/components/delete.ts';
import { getComponent, listComponents } from '../../services/components/queries.ts';
import { ReorderComponentsInput, reorderComponents } from '../../services/components/reorder.ts';
import { UpdateComponentInput, updateComponent } from '../../services/components/update.ts';
import {
  CreateGroupInput,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  UpdateGroupInput,
  updateGroup,
} from '../../services/groups/groups.ts';
import { wrappedOrBare } from '../statuspage-body.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const read = { action: 'read' } as const;
const write = { action: 'component.write' } as const;

export const componentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/components', { config: read, schema: { tags: ['components'] } }, async (req) =>
    listComponents(req.ctx.db),
  );

  app.post(
    '/components',
    {
      config: write,
      schema: { tags: ['components'], body: wrappedOrBare('component', CreateComponentInput) },
    },
    async (req, reply) => reply.code(201).send(await createComponent(req.ctx, req.body)),
  );

  app.post(
    '/components/reorder',
    { config: write, schema: { tags: ['components'], body: ReorderComponentsInput } },
    async (req) => reorderComponents(req.ctx, req.body),
  );

  app.get(
    '/components/:id',
    { config: read, schema: { tags: ['components'], params: IdParams } },
    async (req) => getComponent(req.ctx.db, req.params.id),
  );

  app.patch(
    '/components/:id',
    {
      config: write,
      schema: {
        tags: ['components'],
        params: IdParams,
        body: wrappedOrBare('component', UpdateComponentInput),
      },
    },
    async (req) => updateComponent(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/components/:id',
    { config: write, schema: { tags: ['components'], params: IdParams } },
    async (req, reply) => {
      await deleteComponent(req.ctx, req.params.id);
      return reply.code(204).send();
    },
  );

  app.get('/component-groups', { config: read, schema: { tags: ['component groups'] } }, async (req) =>
    listGroups(req.ctx.db),
  );

  app.post(
    '/component-groups',
    {
      config: write,
      schema: { tags: ['component groups'], body: wrappedOrBare('component_group', CreateGroupInput) },
    },
    async (req, reply) => reply.code(201).send(await createGroup(req.ctx, req.body)),
  );

  app.get(
    '/component-groups/:id',
    { config: read, schema: { tags: ['component groups'], params: IdParams } },
    async (req) => getGroup(req.ctx.db, req.params.id),
  );

  app.patch(
    '/component-groups/:id',
    {
      config: write,
      schema: {
        tags: ['component groups'],
        params: IdParams,
        body: wrappedOrBare('component_group', UpdateGroupInput),
      },
    },
    async (req) => updateGroup(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/component-groups/:id',
    { config: write, schema: { tags: ['component groups'], params: IdParams } },
    async (req, reply) => {
      await deleteGroup(req.ctx, req.params.id);
      return reply.code(204).send();
    },
  );
};
