/**
 * Building the delivery side of a process: the plan's channels, the
 * metrics, and (unless this process only serves HTTP) a worker.
 *
 * The channels follow the plan in force: when a new plan version with
 * different channels or audiences is applied (announced on the change bus
 * in this process and, on PostgreSQL, in the others; found by a 2-second
 * look at the version number anyway), a new channel set and worker take
 * over and the old worker drains (sends in flight finish; work it claimed
 * but had not started goes back to the queue).
 */

import type { SubscriberKind } from '../channels/types.ts';
import { resolveSecrets } from '../plan/channels.ts';
import { loadPlan, type PlanFile } from '../plan/load.ts';
import type { ChangeBus } from '../store/changes.ts';
import { buildChannelSet, type ChannelSet } from './channel-set.ts';
import { DeliveryMetrics } from './metrics.ts';
import type { DeliveryServices, WorkerCtx } from './ports.ts';
import { Worker, type WorkerOptions } from './worker.ts';

export interface Delivery {
  readonly metrics: DeliveryMetrics;
  /** Kinds of subscriber this installation can reach (what /subscribe accepts). */
  readonly offered: ReadonlySet<SubscriberKind>;
  /** Kinds of subscriber an audience can have (what the admin API accepts for it). */
  offeredFor(audience: string): ReadonlySet<SubscriberKind>;
  /** The plan's channels. */
  readonly channels: ChannelSet;
  readonly worker: Worker | null;
  /** Keys that verify the SMS provider's signed inbound requests (STOP): Twilio's auth tokens. */
  readonly inboundSigningKeys: readonly string[];
  /** The public key browsers subscribe to push with, when a push channel is configured. */
  readonly pushPublicKey: string | undefined;
  /** Takes up the plan in force if its channels changed; resolves once the new ones are in place. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface DeliveryOptions {
  /** The use cases the worker calls, as the composition root hands them over. */
  services: DeliveryServices;
  /** Where `env:NAME` references in the plan are resolved. */
  env: Readonly<Record<string, string | undefined>>;
  runWorker: boolean;
  worker?: WorkerOptions;
  /** How often to look for a plan applied by another process (ms, default 2,000); 0 turns the poll off. */
  planPollMs?: number;
  /** The process's change bus: a plan applied here reloads the channels at once. */
  changes?: ChangeBus;
}

type Channels = Pick<PlanFile, 'channels' | 'audiences'>;

interface Running {
  /** The channels and audiences these were built from, to tell whether a new plan changes them. */
  key: string;
  channels: ChannelSet;
  worker: Worker | null;
  inboundSigningKeys: readonly string[];
  pushPublicKey: string | undefined;
}

export async function startDelivery(ctx: WorkerCtx, options: DeliveryOptions): Promise<Delivery> {
  const deps = {
    allowPrivateNetwork: ctx.config.allowPrivateNetwork,
    userAgent: 'Crier/0.1 (+status notifications)',
  };
  const metrics = new DeliveryMetrics();

  const start = (plan: Channels): Running => {
    const worker = options.runWorker
      ? new Worker(
          ctx,
          options.services,
          buildChannelSet(plan.channels, deps, plan.audiences),
          metrics,
          options.worker,
        )
      : null;
    worker?.start();
    const channels = buildChannelSet(plan.channels, deps, plan.audiences);
    return {
      key: JSON.stringify([plan.channels, plan.audiences]),
      channels,
      worker,
      inboundSigningKeys: channels.facts.flatMap((f) => f.inboundSigningKey ?? []),
      pushPublicKey: channels.facts.find((f) => f.pushPublicKey !== undefined)?.pushPublicKey,
    };
  };
  const stop = async (r: Running) => {
    await r.worker?.stop();
    await r.channels.close();
  };

  let missingSecrets = '';
  /** The channels of the plan in force, or null when none was applied or a secret is missing here. */
  const planInForce = async (): Promise<Channels | null> => {
    const plan = await options.services.planInForce();
    if (!plan) return null;
    const { channels, problems } = resolveSecrets(plan.channels, options.env);
    if (problems.length > 0) {
      // The plan was checked against the environment of the process that applied it; this one
      // lacks a secret. Keep the channels in use rather than drop some; say so once per plan.
      const said = JSON.stringify(problems);
      if (said !== missingSecrets)
        ctx.log.error({ problems }, 'the plan in force names secrets this process does not have');
      missingSecrets = said;
      return null;
    }
    missingSecrets = '';
    return { channels, audiences: plan.audiences };
  };

  // The plan in force (`crier serve` applies the plan file at start, so normally the file's).
  const inForce = await planInForce().catch((err: unknown) => {
    ctx.log.error({ err }, 'reading the plan in force failed; using the plan file');
    return null;
  });
  let running = start(inForce ?? (await loadPlan(ctx.config.planPath, options.env)));
  let closed = false;
  let reloading: Promise<void> = Promise.resolve();

  const takeUpPlanInForce = async (): Promise<void> => {
    const next = await planInForce();
    if (closed || !next || JSON.stringify([next.channels, next.audiences]) === running.key) return;
    const previous = running;
    running = start(next);
    ctx.log.info(
      { channels: Object.keys(next.channels) },
      'the plan in force changed the channels; reloaded',
    );
    await stop(previous);
  };
  const reload = (): Promise<void> => {
    reloading = reloading.then(takeUpPlanInForce).catch((err: unknown) => {
      ctx.log.error({ err }, 'reloading the channels failed');
    });
    return reloading;
  };

  const unsubscribe = options.changes?.subscribe((event) => {
    if (event.kind === 'plan') void reload();
  });
  // Another process's apply (announced at once on PostgreSQL; on SQLite, and after a missed
  // notice, found here): each poll reads only the latest version number, the plan itself only
  // when that number has moved.
  let seenVersion: number | undefined;
  const pollMs = options.planPollMs ?? 2_000;
  const lookForNewPlan = async () => {
    const version = await options.services.latestPlanVersion();
    if (version === seenVersion) return;
    seenVersion = version;
    await reload();
  };
  const poll =
    pollMs > 0
      ? setInterval(
          () =>
            void lookForNewPlan().catch((err: unknown) =>
              ctx.log.error({ err }, 'looking for a new plan failed'),
            ),
          pollMs,
        )
      : undefined;
  poll?.unref();

  return {
    metrics,
    // The public form offers what the public audience hears on.
    get offered() {
      return running.channels.kindsFor('public');
    },
    offeredFor: (audience) => running.channels.kindsFor(audience),
    get channels() {
      return running.channels;
    },
    get worker() {
      return running.worker;
    },
    get inboundSigningKeys() {
      return running.inboundSigningKeys;
    },
    get pushPublicKey() {
      return running.pushPublicKey;
    },
    reload,
    async close() {
      closed = true;
      unsubscribe?.();
      clearInterval(poll);
      await reloading;
      await stop(running);
    },
  };
}
