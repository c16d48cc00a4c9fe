/**
 * Several Crier processes on one PostgreSQL: each process announces its
 * changes with NOTIFY and listens for the others', so every node's status
 * page refreshes whichever node took the write. One dedicated connection
 * listens; it reconnects after a drop and refreshes then, since a change
 * may have been missed while it was away.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ChangeBus } from '../changes.ts';
import type { Db } from '../store/db.ts';

export interface ChangeNotifier {
  close(): Promise<void>;
}

/** One channel per schema, so separate installations (and test schemas) in one database stay apart. */
export function channelFor(schema: string): string {
  return `crier_changes_${schema.replace(/[^a-z0-9_]/gi, '_')}`.slice(0, 63);
}

export async function startChangeNotifier(options: {
  db: Db;
  url: string;
  changes: ChangeBus;
  log: Logger;
  onRemoteChange: () => void;
}): Promise<ChangeNotifier> {
  const { db, url, changes, log, onRemoteChange } = options;
  const me = randomBytes(8).toString('hex');
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? 'public';
  const channel = channelFor(schema);
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', (err) => log.warn({ err }, 'change listener connection failed'));
    c.on('end', () => {
      if (closed) return;
      client = undefined;
      retry = setTimeout(() => void connect().catch(() => {}), 2_000);
    });
    c.on('notification', (n) => {
      if (n.channel === channel && !n.payload?.startsWith(`${me}:`)) onRemoteChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
      onRemoteChange();
    } catch (err) {
      log.warn({ err }, 'could not listen for changes; retrying');
      await c.end().catch(() => {});
    }
  };
  await connect();

  const stop = changes.subscribe((event) => {
    const payload = `${me}:${event.kind}:${event.id ?? ''}`.slice(0, 200);
    sql`select pg_notify(${channel}, ${payload})`.execute(db).catch((err: unknown) => {
      log.warn({ err }, 'could not announce a change to other processes');
    });
  });

  return {
    async close() {
      closed = true;
      stop();
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
