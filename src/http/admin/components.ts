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
import { ComponentGroupView, ComponentView } from '../../services/views.ts';
import { wrappedOrBare } from '../statuspage-body.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const read = { action: 'read' } as const;
const manage = { action: 'component.manage' } as const;
const tags = ['components'];
const groupTags = ['component groups'];
const deleted = z.null().describe('Deleted.');
/** Statuspage sends a group's description beside `component_group`, not in it. */
const groupBody = { beside: ['description'] };

export const componentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/components',
    {
      config: read,
      schema: {
        operationId: 'listComponents',
        summary: 'List components',
        tags,
        response: { 200: z.array(ComponentView) },
      },
    },
    async (req) => listComponents(req.ctx.db),
  );

  app.post(
    '/components',
    {
      config: manage,
      schema: {
        operationId: 'createComponent',
        summary: 'Add a component',
        tags,
        body: wrappedOrBare('component', CreateComponentInput),
        response: { 201: ComponentView },
      },
    },
    async (req, reply) => reply.code(201).send(await createComponent(req.ctx, req.body.input)),
  );

  app.post(
    '/components/reorder',
    {
      config: manage,
      schema: {
        operationId: 'reorderComponents',
        summary: 'Set the order components are shown in',
        tags,
        body: ReorderComponentsInput,
        response: { 200: z.array(ComponentView) },
      },
    },
    async (req) => reorderComponents(req.ctx, req.body),
  );

  app.get(
    '/components/:id',
    {
      config: read,
      schema: {
        operationId: 'getComponent',
        summary: 'Get a component',
        tags,
        params: IdParams,
        response: { 200: ComponentView },
      },
    },
    async (req) => getComponent(req.ctx.db, req.params.id),
  );

  app.patch(
    '/components/:id',
    {
      // Setting the status is enough to get in: the verb asks more of a change to anything else.
      config: { action: 'component.status' },
      schema: {
        operationId: 'updateComponent',
        summary: 'Change a component (its status too)',
        description:
          'Setting `status` needs the `component.status` permission (responders have it); any other ' +
          'field needs `component.manage` (leads and admins).',
        tags,
        params: IdParams,
        body: wrappedOrBare('component', UpdateComponentInput),
        response: { 200: ComponentView },
      },
    },
    async (req) => updateComponent(req.ctx, req.params.id, req.body.input),
  );

  app.delete(
    '/components/:id',
    {
      config: manage,
      schema: {
        operationId: 'deleteComponent',
        summary: 'Delete a component',
        tags,
        params: IdParams,
        response: { 204: deleted },
      },
    },
    async (req, reply) => {
      await deleteComponent(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/component-groups',
    {
      config: read,
      schema: {
        operationId: 'listComponentGroups',
        summary: 'List component groups',
        tags: groupTags,
        response: { 200: z.array(ComponentGroupView) },
      },
    },
    async (req) => listGroups(req.ctx.db),
  );

  app.post(
    '/component-groups',
    {
      config: manage,
      schema: {
        operationId: 'createComponentGroup',
        summary: 'Add a component group',
        tags: groupTags,
        body: wrappedOrBare('component_group', CreateGroupInput, groupBody),
        response: { 201: ComponentGroupView },
      },
    },
    async (req, reply) => reply.code(201).send(await createGroup(req.ctx, req.body.input)),
  );

  app.get(
    '/component-groups/:id',
    {
      config: read,
      schema: {
        operationId: 'getComponentGroup',
        summary: 'Get a component group',
        tags: groupTags,
        params: IdParams,
        response: { 200: ComponentGroupView },
      },
    },
    async (req) => getGroup(req.ctx.db, req.params.id),
  );

  app.patch(
    '/component-groups/:id',
    {
      config: manage,
      schema: {
        operationId: 'updateComponentGroup',
        summary: 'Change a component group',
        tags: groupTags,
        params: IdParams,
        body: wrappedOrBare('component_group', UpdateGroupInput, groupBody),
        response: { 200: ComponentGroupView },
      },
    },
    async (req) => updateGroup(req.ctx, req.params.id, req.body.input),
  );

  app.delete(
    '/component-groups/:id',
    {
      config: manage,
      schema: {
        operationId: 'deleteComponentGroup',
        summary: 'Delete a component group (its components stay)',
        tags: groupTags,
        params: IdParams,
        response: { 204: deleted },
      },
    },
    async (req, reply) => {
      await deleteGroup(req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
