/**
 * `crier deliveries <update-id>`: how far one update's notifications have gone, with a live
 * progress bar while they run; `crier deliveries list` and `crier deliveries replay`.
 */
import { type Command, Option } from 'commander';
import { call, type Schemas } from '../client.ts';
import { CliError, print, table } from '../output.ts';
import { api, withJson } from './common.ts';

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

async function summary(updateId: string, o: { json: boolean; watch: boolean }): Promise<void> {
  const client = await api();
  const get = () =>
    call(client.GET('/api/v1/deliveries/summary', { params: { query: { update_id: updateId } } }));
  let counts = await get();
  const live = process.stdout.isTTY && !o.json && o.watch;
  if (live) {
    while (!finished(counts)) {
      process.stdout.write(`\r${bar(counts)}`);
      await new Promise((r) => setTimeout(r, 500));
      counts = await get();
    }
    process.stdout.write(`\r${bar(counts)}\n`);
  }
  print(counts, o.json, () => {
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
}

const usage = 'Usage: crier deliveries <update-id> [--no-watch] | list | replay';

interface ReplayOptions {
  json: boolean;
  incident?: string;
  update?: string;
  channel?: string;
  all: boolean;
}

export function deliveryCommands(program: Command): void {
  const deliveries = withJson(
    program
      .command('deliveries')
      .description("how far one update's notifications have gone, by channel and state (live while they run)")
      .argument('[update-id]', 'the update')
      .option('--no-watch', 'print once, without the live bar'),
  ).action(async (updateId: string | undefined, o: { json: boolean; watch: boolean }) => {
    if (!updateId) throw new CliError(usage, 2);
    await summary(updateId, o);
  });

  withJson(
    deliveries
      .command('list')
      .description('list deliveries, newest first')
      .addOption(new Option('--state <state>', 'one state').choices(states))
      .option('--channel <name>', 'a kind of subscriber (email…) or a broadcast channel')
      .option('--update <id>', 'the deliveries of one update')
      .option('--page <n>', 'the page', '1')
      .option('--per-page <n>', 'rows a page (at most 100)', '50'),
  ).action(
    async (o: {
      json: boolean;
      state?: (typeof states)[number];
      channel?: string;
      update?: string;
      page: string;
      perPage: string;
    }) => {
      const answer = await (await api()).GET('/api/v1/deliveries', {
        params: {
          query: {
            page: Number(o.page),
            per_page: Number(o.perPage),
            ...(o.state && { state: o.state }),
            ...(o.channel && { channel: o.channel }),
            ...(o.update && { subject_id: o.update }),
          },
        },
      });
      const list = await call(Promise.resolve(answer));
      const total = answer.response.headers.get('x-total-count');
      print(list, o.json, () => {
        const shown = table(list as unknown as Record<string, unknown>[], [
          'id',
          'channel',
          'state',
          'attempts',
          'subject_id',
          'last_error',
          'updated_at',
        ]);
        return total === null ? shown : `${shown}\n(${list.length} of ${total}; --page for more)`;
      });
    },
  );

  withJson(
    deliveries
      .command('replay')
      .description('put dead deliveries back in the queue: of an incident, an update, a channel, or --all')
      .option('--incident <id>', 'those of one incident')
      .option('--update <id>', 'those of one update')
      .option('--channel <name>', 'those on one channel')
      .option('--all', 'every dead delivery (and no filter beside it)', false),
  ).action(async (o: ReplayOptions) => {
    const filtered = o.incident !== undefined || o.update !== undefined || o.channel !== undefined;
    if (!filtered && !o.all) {
      throw new CliError('Say what to replay: --incident, --update, --channel, or --all for every one.', 2);
    }
    const result = await call(
      (await api()).POST('/api/v1/deliveries/replay', {
        body: o.all
          ? { all: true }
          : {
              ...(o.incident && { incident_id: o.incident }),
              ...(o.update && { update_id: o.update }),
              ...(o.channel && { channel: o.channel }),
            },
      }),
    );
    print(
      result,
      o.json,
      () => `Replayed ${result.replayed} dead deliver${result.replayed === 1 ? 'y' : 'ies'}.`,
    );
  });
}
