import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RunGameDayInput, runGameDay } from '../../services/drills/game-day.ts';
import { GameDayView, getGameDay } from '../../services/drills/game-day-view.ts';
import { StartDrillInput, startDrill } from '../../services/drills/start.ts';
import { DrillTrendQuery, drillTrend, IncidentScores, incidentScores } from '../../services/review/scores.ts';
import { IncidentView } from '../../services/views.ts';

const tags = ['drills'];

export const drillRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/drills',
    {
      config: { action: 'incident.declare' },
      schema: {
        operationId: 'startDrill',
        summary: 'Start a drill of one of the plan’s scenarios',
        description:
          'An incident marked as a drill: it runs through the real plan, its messages go only to the plan’s drill audience marked [DRILL], and its component changes are drill state.',
        tags,
        body: StartDrillInput,
        response: { 201: IncidentView },
      },
    },
    async (req, reply) => reply.code(201).send(await startDrill(req.ctx, req.body)),
  );

  app.get(
    '/drills/scores',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'drillTrend',
        summary: 'The scores of the latest drills, oldest first: the trend across drills',
        tags,
        querystring: DrillTrendQuery,
        response: { 200: z.array(IncidentScores) },
      },
    },
    async (req) => drillTrend(req.ctx, req.query),
  );

  app.get(
    '/drills/:id/report',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getDrillReport',
        summary: 'A drill’s scores against the plan’s targets, in plan time',
        description: 'The same as `GET /incidents/{id}/scores`, for any incident, drill or not.',
        tags,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: IncidentScores },
      },
    },
    async (req) => incidentScores(req.ctx, req.params.id),
  );

  app.post(
    '/drills/run',
    {
      config: { action: 'incident.declare' },
      schema: {
        operationId: 'runGameDay',
        summary: 'Run one of the plan’s game days now',
        description:
          'Starts the drill of a `drills:` entry of the plan and plays its script at its offsets (divided by the speed): alerts through the ingest path, components worsening in drill state, channels made to fail for the drill’s messages.',
        tags,
        body: RunGameDayInput,
        response: { 201: GameDayView },
      },
    },
    async (req, reply) => reply.code(201).send(await runGameDay(req.ctx, req.body)),
  );

  app.get(
    '/game-days/:id',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getGameDay',
        summary: 'A game day: its drill, and how far its script has got',
        tags,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: GameDayView },
      },
    },
    async (req) => getGameDay(req.ctx, req.params.id),
  );
};
