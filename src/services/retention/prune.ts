/**
 * Retention: what is past its age (CRIER_RETAIN_*_DAYS, 0 keeping it for
 * ever) is deleted in small batches, and on SQLite the space is given back.
 * The worker runs it every hour (src/app.ts). The sentiment watch's mentions
 * go after the plan's `sentiment.retention_days` (30 by default). Sent and dead deliveries leave
 * their counts behind, so delivery summaries read the same. The audit log is
 * append-only (a trigger refuses deletes) and kept for ever; so is the
 * components' status history that uptime is computed from.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  giveBackSpace,
  type PruneOptions,
  pruneAlertPayloads,
  pruneDeliveries,
  pruneJobs,
  pruneMentions,
} from '../../store/retention.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';

export interface PruneResult {
  deliveries: number;
  jobs: number;
  alert_payloads: number;
  mentions: number;
  /** SQLite pages given back to the file system. */
  pages_freed: number;
}

const day = 86_400_000;

export async function pruneExpired(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config' | 'log'>,
  options: Partial<PruneOptions> = {},
): Promise<PruneResult> {
  const opts: PruneOptions = { batchSize: 500, pause: () => sleep(5), ...options };
  const now = ctx.clock.now().getTime();
  const before = (days: number) => new Date(now - days * day).toISOString();
  const { deliveriesDays, jobsDays, alertPayloadsDays } = ctx.config.retention;
  const result: PruneResult = {
    deliveries: deliveriesDays > 0 ? await pruneDeliveries(ctx.db, before(deliveriesDays), opts) : 0,
    jobs: jobsDays > 0 ? await pruneJobs(ctx.db, before(jobsDays), opts) : 0,
    alert_payloads:
      alertPayloadsDays > 0 ? await pruneAlertPayloads(ctx.db, before(alertPayloadsDays), opts) : 0,
    mentions: await pruneMentions(
      ctx.db,
      before((await currentPlan(ctx.db))?.sentiment?.retention_days ?? 30),
      opts,
    ),
    pages_freed: 0,
  };
  result.pages_freed = await giveBackSpace(ctx.db, opts);
  if (result.deliveries + result.jobs + result.alert_payloads + result.mentions > 0) {
    ctx.log.info(result, 'retention: removed what was past its age');
  }
  return result;
}
