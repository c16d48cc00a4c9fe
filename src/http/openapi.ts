/**
 * The OpenAPI 3.1 document at /api/v1/openapi.json, which clients are
 * generated from (the CLI's own among them: src/cli/api.gen.ts). Admin routes
 * declare their operationId, summary, tags and Zod response schemas where they
 * are registered; this file adds what is the same for all of them (the error
 * responses, the paging headers) and documents the few public routes a
 * program calls, marked `security: []`. Pages, feeds and scripts for browsers
 * are left out.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from './errors.ts';

export const ADMIN_PREFIX = '/api/v1';

interface PublicOperation {
  operationId: string;
  summary: string;
  tags: string[];
  description: string;
}

const statuspage = (operationId: string, summary: string, shape: string): PublicOperation => ({
  operationId,
  summary,
  tags: ['status page'],
  description: `${shape}, as Statuspage's public API v2 answers it. Served from memory; honours If-None-Match.`,
});

/** The public routes a program calls, by `METHOD url`. Every other public route is for browsers. */
const publicOperations: Record<string, PublicOperation> = {
  'GET /healthz': {
    operationId: 'getHealth',
    summary: 'Whether the process is up',
    tags: ['health'],
    description: 'Answers `{"status":"ok"}` while the process runs.',
  },
  'GET /readyz': {
    operationId: 'getReadiness',
    summary: 'Whether Crier can serve',
    tags: ['health'],
    description:
      'Checks the database and that migrations are current: 200 `{"status":"ready","checks":{…}}`, ' +
      'or 503 with `not_ready` and the failing check.',
  },
  'GET /api/v2/summary.json': statuspage(
    'getStatusSummary',
    'The page summary',
    'Page, components, incidents',
  ),
  'GET /api/v2/status.json': statuspage('getStatus', 'The page indicator', 'The rolled-up indicator'),
  'GET /api/v2/components.json': statuspage('getPublicComponents', 'Components', 'Every component'),
  'GET /api/v2/incidents.json': statuspage('getPublicIncidents', 'Incidents', 'The latest incidents'),
  'GET /api/v2/incidents/unresolved.json': statuspage(
    'getUnresolvedIncidents',
    'Unresolved incidents',
    'Incidents not resolved yet',
  ),
  'GET /api/v2/scheduled-maintenances.json': statuspage(
    'getScheduledMaintenances',
    'Scheduled maintenances',
    'The latest maintenances',
  ),
  'GET /api/v2/scheduled-maintenances/upcoming.json': statuspage(
    'getUpcomingMaintenances',
    'Upcoming maintenances',
    'Maintenances not started yet',
  ),
  'GET /api/v2/scheduled-maintenances/active.json': statuspage(
    'getActiveMaintenances',
    'Active maintenances',
    'Maintenances in progress or verifying',
  ),
};

const pagingHeaders = {
  link: {
    description:
      'RFC 8288 links to the first, previous, next and last pages, e.g. `</api/v1/incidents?page=2>; rel="next"`.',
    type: 'string',
  },
  'x-total-count': { description: 'Items over all pages.', type: 'integer' },
  'x-total-pages': { description: 'Pages at this `per_page`.', type: 'integer' },
  'x-page': { description: 'This page.', type: 'integer' },
  'x-per-page': { description: 'Items per page.', type: 'integer' },
};

type TransformInput = Parameters<NonNullable<FastifyDynamicSwaggerOptions['transform']>>[0];
type Transformed = ReturnType<typeof jsonSchemaTransform>;
type Json = Record<string, unknown>;
const csv = (description: string) => z.string().describe(description);

const errorText: Record<string, string> = {
  '4XX': 'Refused: `error.code` says why, and docs/errors.md how to fix it.',
  '5XX': 'Crier could not answer; `error.request_id` finds it in the logs.',
};
const errorResponse = (status: '4XX' | '5XX') => ({
  description: errorText[status],
  content: { 'application/json': { schema: ErrorBody } },
});

const described: Record<string, string> = { '200': 'OK', '201': 'Created' };

/** Per route: admin routes get the error responses and paging headers; public ones are documented or hidden. */
function transform(input: TransformInput): Transformed {
  const { schema, url, route } = input;
  if (!url.startsWith(`${ADMIN_PREFIX}/`)) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const doc = methods.map((m) => publicOperations[`${m} ${url}`]).find((d) => d !== undefined);
    if (!doc) return { schema: { hide: true }, url };
    const response = {
      200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
    };
    return { schema: { ...doc, security: [], response } as Transformed['schema'], url };
  }
  const withErrors = {
    ...schema,
    // CSV in and out is streamed, so the route validates and serializes neither; the document still says so.
    ...(schema?.consumes?.includes('text/csv') && { body: csv('The CSV file, with a header row.') }),
    response: {
      ...(schema?.produces?.includes('text/csv') && {
        200: {
          description: 'A CSV file with a header row.',
          content: { 'text/csv': { schema: csv('Subscribers, one a row.') } },
        },
      }),
      ...(schema?.response as Json | undefined),
      '4XX': errorResponse('4XX'),
      '5XX': errorResponse('5XX'),
    },
  };
  const out = jsonSchemaTransform({ ...input, schema: withErrors } as TransformInput);
  const responses = (out.schema as { response?: Record<string, Json> }).response ?? {};
  for (const [status, response] of Object.entries(responses)) {
    const text = described[status];
    if (text && response.description === undefined) response.description = text;
  }
  // Lists take Pagination's `page` and `per_page` and answer with the paging headers (admin/list.ts).
  if (schema?.querystring instanceof z.ZodObject && 'page' in schema.querystring.shape && responses['200']) {
    responses['200'].headers = pagingHeaders;
  }
  return out;
}

/**
 * The Zod registry holds every schema with an id, each both as input and as output; the document
 * keeps those its operations reference (directly or through another schema), so a generated
 * client has no types nothing returns.
 */
function withoutUnusedSchemas(doc: Json): Json {
  const components = (doc.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const ref = key === '$ref' && typeof child === 'string' ? refName.exec(child)?.[1] : undefined;
      if (ref === undefined) visit(child);
      else if (!used.has(ref)) {
        used.add(ref);
        visit(schemas[ref]);
      }
    }
  };
  visit(doc.paths);
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...components, schemas: kept } };
}

const refName = /^#\/components\/schemas\/(.+)$/;

export function swaggerOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Crier admin API',
        version: '1',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description:
          'Manage components, incidents, drafts and approval, maintenances, subscribers and deliveries, ' +
          'tokens, ingest keys and alerts, users, the plan and the audit log. Request bodies take Statuspage management API field ' +
          'names, bare or wrapped. Errors are `{"error":{"code","message","details"?,"request_id"}}` ' +
          'with the codes of docs/errors.md.',
      },
      servers: [{ url: '/', description: 'The Crier server this document came from' }],
      tags: [
        { name: 'components', description: 'What the status page shows, and its status.' },
        { name: 'component groups', description: 'Components shown together.' },
        { name: 'incidents', description: 'Incidents, their updates, drafts and approval, roles.' },
        { name: 'drills', description: 'Rehearsals of the plan’s scenarios, heard only by the team.' },
        {
          name: 'review',
          description: 'Scores against the plan’s targets, the communication review and its trends.',
        },
        {
          name: 'feedback',
          description:
            'Whether the communication helped: customers’ votes, the team’s ratings, support tickets.',
        },
        { name: 'maintenances', description: 'Planned work, started and completed on time.' },
        { name: 'subscribers', description: 'Who is told, on which channel.' },
        { name: 'deliveries', description: 'Each message to each subscriber, and its replay.' },
        { name: 'plan', description: 'The communication plan in force (crier.yaml).' },
        { name: 'tokens', description: 'API tokens and their roles.' },
        {
          name: 'ingest',
          description: 'Keys for alert sources posting to /ingest/:source/:key, and the alerts they sent.',
        },
        { name: 'users', description: 'People who sign in to the console, and their roles.' },
        { name: 'audit', description: 'Who did what, and when.' },
        { name: 'health', description: 'Liveness and readiness, without a token.' },
        { name: 'status page', description: "The public page's data, without a token." },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'crier_session',
            description: 'A console session; unsafe requests must also come from Crier’s origin (CSRF).',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform,
    transformObject: (document) => withoutUnusedSchemas(jsonSchemaTransformObject(document) as Json),
  };
}
