/**
 * `crier worker`: a delivery worker alone, on the configured database,
 * drained on SIGTERM. `crier deliveries <update-id>`: how far one update's
 * notifications have gone, with a live progress bar while they run.
 */
import { parseArgs } from 'node:util';
import { createLogger, createWorker } from '../../app.ts';
import type { Config } from '../../config.ts';
import { DatabaseWaitAborted } from '../../store/wait.ts';
import { apiClient, call, type Schemas } from '../client.ts';
import { CliError, print, table } from '../output.ts';

export async function runWorker(config: Config): Promise<number> {
  const log = createLogger(config);
  // A signal stops the wait for the database too (src/store/wait.ts), not only the work.
  const stopping = new AbortController();
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'draining');
      stopping.abort();
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  let worker: Awaited<ReturnType<typeof createWorker>>;
  try {
    worker = await createWorker(config, { log, signal: stopping.signal });
  } catch (err) {
    if (err instanceof DatabaseWaitAborted) return 0;
    throw err;
  }
  log.info(
    { database: config.databaseUrl.split(':')[0], metrics: worker.metricsUrl },
    'crier worker running',
  );
  await stopped;
  await worker.close();
  return 0;
}

const states = ['sent', 'pending', 'sending', 'failed', 'dead'] as const;

/**
 * The update's own messages and the component events it triggered, counted together. (A server
 * from before component events were counted sends none: hence the optional chaining below.)
 */
function overall(c: Schemas['UpdateDeliveryCounts']): { total: number; byState: Record<string, number> } {
  const events = c.component_events;
  const byState = Object.fromEntries(
    states.map((s) => [s, (c.by_state[s] ?? 0) + (events?.by_state[s] ?? 0)]),
  );
  return { total: c.total + (events?.total ?? 0), byState };
}

function bar(c: Schemas['UpdateDeliveryCounts'], width = 30): string {
  const { total, byState } = overall(c);
  const done = (byState.sent ?? 0) + (byState.dead ?? 0);
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  const counts = states.map((s) => `${s} ${byState[s] ?? 0}`).join('  ');
  const fanouts = [c.fanout, c.component_events?.fanout ?? 'none'].filter(
    (f) => f !== 'done' && f !== 'none',
  );
  const fanout = fanouts.length > 0 ? `  (fan-out ${fanouts[0]})` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${counts}${fanout}`;
}

/** Whether the live bar can stop: nothing left to write or to send. */
export function finished(c: Schemas['UpdateDeliveryCounts']): boolean {
  const { byState } = overall(c);
  const open = (byState.pending ?? 0) + (byState.sending ?? 0) + (byState.failed ?? 0);
  // A dead fan-out goes no further without someone replaying it: waiting on it would never end.
  const settled = (f: string | undefined) => f === undefined || f === 'done' || f === 'none' || f === 'dead';
  return settled(c.fanout) && settled(c.component_events?.fanout) && open === 0;
}

export async function runDeliveries(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: true },
      'no-watch': { type: 'boolean', default: false },
    },
  });
  const updateId = positionals[0];
  if (!updateId) throw new CliError('Usage: crier deliveries <update-id> [--no-watch] [--json]', 2);
  const api = apiClient({ url: config.clientUrl, token: config.clientToken });
  const get = () =>
    call(api.GET('/api/v1/deliveries/summary', { params: { query: { update_id: updateId } } }));
  let counts = await get();
  const live = process.stdout.isTTY && !values.json && !values['no-watch'];
  if (live) {
    while (!finished(counts)) {
      process.stdout.write(`\r${bar(counts)}`);
      await new Promise((r) => setTimeout(r, 500));
      counts = await get();
    }
    process.stdout.write(`\r${bar(counts)}\n`);
  }
  print(counts, values.json ?? false, () => {
    const rows = Object.entries(counts.by_channel).map(([channel, byState]) => ({
      channel,
      ...Object.fromEntries(states.map((s) => [s, byState[s] ?? 0])),
    }));
    const events = counts.component_events;
    if (events && events.total > 0) {
      rows.push({
        channel: 'webhook (component events)',
        ...Object.fromEntries(states.map((s) => [s, events.by_state[s] ?? 0])),
      });
    }
    return `${table(rows, ['channel', ...states])}\n${bar(counts)}`;
  });
  return 0;
}
