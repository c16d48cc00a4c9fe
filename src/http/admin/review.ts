import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reviewMarkdown } from '../../services/review/markdown.ts';
import { incidentsOfPlanVersion, PlanVersionIncident } from '../../services/review/plan-versions.ts';
import { IncidentReview, incidentReview } from '../../services/review/review.ts';
import { IncidentScores, incidentScores } from '../../services/review/scores.ts';
import { Suggestion, suggestPlanChanges } from '../../services/review/suggest.ts';
import { CommunicationReport, communicationReport, ReportQuery } from '../../services/review/trends.ts';
import { IncidentSentiment, incidentSentiment, SentimentQuery } from '../../services/sentiment/report.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const tags = ['review'];

export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/incidents/:id/sentiment',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentSentiment',
        summary: 'What people posted about the incident on social networks: volume and sentiment over time',
        description:
          'The mentions the sentiment watch read while the incident was open (docs/sentiment.md): how many, how many negative, neutral and positive, and their mean score, per time bucket, per network and in total. No post’s words are kept.',
        tags,
        params: IdParams,
        querystring: SentimentQuery,
        response: { 200: IncidentSentiment },
      },
    },
    async (req) => incidentSentiment(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/incidents/:id/scores',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentScores',
        summary: 'How the incident’s communication measured against the plan’s targets',
        description:
          'Detection to declaration, first internal and first external notice (against `first_external_within`), approval waits, cadence per audience, the longest silence, lint overrides, fallbacks and how fast the first notice reached its subscribers. A drill’s spans are in plan time.',
        tags,
        params: IdParams,
        response: { 200: IncidentScores },
      },
    },
    async (req) => incidentScores(req.ctx, req.params.id),
  );

  app.get(
    '/incidents/:id/review',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentReview',
        summary: 'The communication review: every message, the scores, deliveries, unsubscribes and charts',
        description:
          'As JSON (the charts as SVG with their figures as tables), or as Markdown with `?format=md` or `Accept: text/markdown`.',
        tags,
        params: IdParams,
        querystring: z.strictObject({ format: z.enum(['json', 'md']).optional() }),
        response: {
          200: {
            description: 'The review as JSON, or as Markdown.',
            content: {
              'application/json': { schema: IncidentReview },
              'text/markdown': { schema: z.string() },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const review = await incidentReview(req.ctx, req.params.id);
      const accept = String(req.headers.accept ?? '');
      const markdown =
        req.query.format === 'md' ||
        (req.query.format === undefined &&
          /text\/markdown/.test(accept) &&
          !/application\/json/.test(accept));
      if (markdown) return reply.type('text/markdown; charset=utf-8').send(reviewMarkdown(review));
      return review;
    },
  );

  app.get(
    '/incidents/:id/review/charts/:chart',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentReviewChart',
        summary: 'One chart of the communication review, as an SVG image',
        tags,
        params: IdParams.extend({ chart: z.enum(['deliveries.svg', 'cadence.svg']) }),
        response: {
          200: { description: 'The chart.', content: { 'image/svg+xml': { schema: z.string() } } },
        },
      },
    },
    async (req, reply) => {
      const review = await incidentReview(req.ctx, req.params.id);
      const id = req.params.chart === 'deliveries.svg' ? 'deliveries' : 'cadence';
      const chart = review.charts.find((c) => c.id === id);
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(chart?.svg ?? '');
    },
  );

  app.get(
    '/reports/communication',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getCommunicationReport',
        summary:
          'Trends: time to first notice and adherence per severity and scenario, channels by failure rate',
        description:
          'Real incidents declared between `from` and `to` (drills are left out), over the last 30 and 90 days up to `to`.',
        tags,
        querystring: ReportQuery,
        response: { 200: CommunicationReport },
      },
    },
    async (req) => communicationReport(req.ctx, req.query),
  );

  app.get(
    '/plan/versions/:version/incidents',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listPlanVersionIncidents',
        summary: 'The incidents and drills run under a plan version, oldest first',
        tags: ['plan'],
        params: z.object({ version: z.coerce.number().int().min(1).max(1_000_000_000) }),
        response: { 200: z.array(PlanVersionIncident) },
      },
    },
    async (req) => incidentsOfPlanVersion(req.ctx, req.params.version),
  );

  app.get(
    '/plan/suggestions',
    {
      config: { action: 'plan.apply' },
      schema: {
        operationId: 'suggestPlanChanges',
        summary: 'Changes to the plan that the measured communication suggests, each as a diff of crier.yaml',
        description:
          'From the real incidents declared between `from` and `to` (90 days up to now by default): a severity whose cadence was missed in more than half of its last five incidents, a channel whose dead rate passes 2%, a template rated unhelpful by 30% or more of at least 20 votes. Apply one with `PUT /plan` and its `source`.',
        tags: ['plan'],
        querystring: ReportQuery,
        response: { 200: z.array(Suggestion) },
      },
    },
    async (req) => suggestPlanChanges(req.ctx, req.query),
  );
};
