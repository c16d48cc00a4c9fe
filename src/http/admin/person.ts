/**
 * Admin API for one person's data: everything held about an email address or
 * a phone number, and its erasure. POST with the contact in the body, so it
 * never sits in a URL, a proxy's log or a browser's history.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  exportPerson,
  forgetPerson,
  PersonErased,
  PersonExport,
  PersonInput,
} from '../../services/subscribers/person.ts';

const tags = ['subscribers'];

export const personRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/subscribers/export-person',
    {
      config: { action: 'person.data' },
      schema: {
        operationId: 'exportPerson',
        summary: 'Everything held about one email address or phone number, as JSON (audited)',
        tags,
        body: PersonInput,
        response: { 200: PersonExport },
      },
    },
    async (req) => exportPerson(req.ctx, req.body),
  );

  app.post(
    '/subscribers/forget',
    {
      config: { action: 'person.data' },
      schema: {
        operationId: 'forgetPerson',
        summary: 'Erase one email address or phone number: the contact goes, the counts stay (audited)',
        tags,
        body: PersonInput,
        response: { 200: PersonErased },
      },
    },
    async (req) => forgetPerson(req.ctx, req.body),
  );
};
