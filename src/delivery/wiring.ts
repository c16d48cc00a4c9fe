/**
 * Building the delivery side of a process: the plan's channels, the
 * metrics, and (unless this process only serves HTTP) a worker.
 */
import type { SubscriberKind } from '../channels/types.ts';
import { loadPlan } from '../plan/load.ts';
import type { Ctx } from '../services/context.ts';
import { buildChannelSet, type ChannelSet } from './channel-set.ts';
import { DeliveryMetrics } from './metrics.ts';
import { Worker, type WorkerOptions } from './worker.ts';

export interface Delivery {
  readonly metrics: DeliveryMetrics;
  /** Kinds of subscriber this installation can reach (what /subscribe accepts). */
  readonly offered: ReadonlySet<SubscriberKind>;
  /** Kinds of subscriber an audience can have (what the admin API accepts for it). */
  offeredFor(audience: string): ReadonlySet<SubscriberKind>;
  /** The plan's channels (Twilio's auth token verifies inbound STOP). */
  readonly channels: ChannelSet;
  readonly worker: Worker | null;
  /** Twilio auth tokens of the plan's sms-twilio channels, to verify inbound STOP webhooks. */
  readonly twilioTokens: readonly string[];
  /** The VAPID public key browsers subscribe with, when a webpush channel is configured. */
  readonly vapidPublicKey: string | undefined;
  close(): Promise<void>;
}

export interface DeliveryOptions {
  /** Where `env:NAME` references in the plan are resolved. */
  env: Readonly<Record<string, string | undefined>>;
  runWorker: boolean;
  worker?: WorkerOptions;
}

export async function startDelivery(ctx: Ctx, options: DeliveryOptions): Promise<Delivery> {
  const plan = await loadPlan(ctx.config.planPath, options.env);
  const deps = {
    allowPrivateNetwork: ctx.config.allowPrivateNetwork,
    userAgent: 'Crier/0.1 (+status notifications)',
  };
  const metrics = new DeliveryMetrics();
  const channels = buildChannelSet(plan.channels, deps, plan.audiences);
  const worker = options.runWorker
    ? new Worker(ctx, buildChannelSet(plan.channels, deps, plan.audiences), metrics, options.worker)
    : null;
  worker?.start();
  return {
    metrics,
    // The public form offers what the public audience hears on.
    offered: channels.audienceKinds.get('public') ?? new Set(channels.lanes.keys()),
    offeredFor: (audience) => channels.audienceKinds.get(audience) ?? new Set(channels.lanes.keys()),
    channels,
    worker,
    twilioTokens: Object.values(plan.channels).flatMap((c) => (c.type === 'sms-twilio' ? [c.token] : [])),
    vapidPublicKey: Object.values(plan.channels).flatMap((c) =>
      c.type === 'webpush' ? [c.vapid_public_key] : [],
    )[0],
    async close() {
      await worker?.stop();
      await channels.close();
    },
  };
}
