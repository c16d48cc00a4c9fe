/**
 * What a process does on its own clock besides the worker: moving
 * maintenances on, pruning what the retention rules let go, scheduled
 * backups. Each runs never twice at once, logs its failures and tries again
 * at its next turn; stopping clears its timers and waits for a run in
 * progress, so that a process shutting down never closes the database under
 * it.
 */
import type { Logger } from 'pino';
import { backupTargets, runScheduledBackup } from './backups/scheduled.ts';
import type { Ctx } from './context.ts';
import { advanceMaintenances } from './maintenances/move.ts';
import { pruneExpired } from './retention/prune.ts';

export interface Periodic {
  /** Clears the timers; resolves once no run is in progress. */
  stop(): Promise<void>;
}

export interface PeriodicOptions {
  everyMs: number;
  /** When the first run comes: 0 at once; by default after `everyMs`. */
  firstMs?: number;
  /** Whether its timers let the process exit (true for work a process must not wait for). */
  unref?: boolean;
}

export function periodic(
  log: Logger,
  failure: string,
  run: () => Promise<unknown>,
  { everyMs, firstMs, unref = false }: PeriodicOptions,
): Periodic {
  let running: Promise<void> | undefined;
  let stopped = false;
  const turn = () => {
    if (running || stopped) return;
    running = run()
      .then(
        () => undefined,
        (err: unknown) => log.error({ err }, failure),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timers = [setInterval(turn, everyMs)];
  if (firstMs === 0) turn();
  else if (firstMs !== undefined) timers.push(setTimeout(turn, firstMs));
  if (unref) for (const t of timers) t.unref();
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await running;
    },
  };
}

/** Maintenances start and complete on time: every 15 s, and once at start. */
export const startMaintenanceTimer = (ctx: Ctx): Periodic =>
  periodic(ctx.log, 'maintenance timer failed', () => advanceMaintenances(ctx), {
    everyMs: 15_000,
    firstMs: 0,
  });

/**
 * Retention runs where a worker runs (`crier serve` with its worker, `crier worker`): a minute
 * after start, then every hour. Several processes pruning at once delete each row once.
 */
export const startRetention = (ctx: Ctx): Periodic =>
  periodic(ctx.log, 'retention failed; it runs again within the hour', () => pruneExpired(ctx), {
    everyMs: 3_600_000,
    firstMs: 60_000,
    unref: true,
  });

/**
 * Scheduled backups, where a worker runs and a folder or bucket is configured: whether one is
 * due is asked every minute, and one process of all those running takes it (services/backups).
 */
export function startBackups(ctx: Ctx): Periodic[] {
  const targets = backupTargets(ctx);
  if (targets.length === 0) return [];
  return [
    periodic(
      ctx.log,
      'scheduled backup failed; it is tried again within ten minutes',
      () => runScheduledBackup(ctx, targets),
      { everyMs: 60_000, unref: true },
    ),
  ];
}
