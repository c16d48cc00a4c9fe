/**
 * PostgreSQL's named statements for the SQL that `prepared` (prepared.ts)
 * runs on a clock: sent with a name, a statement is parsed and planned once
 * per connection, and each run after sends only its parameters. Any other
 * SQL goes unnamed, as Kysely sends it, so ad hoc statements (an IN list of
 * a different length each time) never pile up on the server.
 */
import type pg from 'pg';

/** Each named statement's SQL and its name; process-wide, as the SQL is the same on every pool. */
const names = new Map<string, string>();

/** Marks `sql` to be sent as a named statement. */
export function nameStatement(sql: string): void {
  if (!names.has(sql)) names.set(sql, `crier_${names.size + 1}`);
}

type Query = (text: unknown, values?: unknown, ...rest: unknown[]) => Promise<pg.QueryResult>;

/**
 * Makes a pool's client send named SQL by its name. A schema changed under a statement a
 * connection has kept (a migration run by a newer process adds a column a `returning` lists)
 * fails it with `cached plan must not change result type` (0A000): the statement then takes a
 * new name, parsed afresh, and the query is tried once more.
 */
export function sendNamedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  const named: Query = async (text, values, ...rest) => {
    const name = typeof text === 'string' ? names.get(text) : undefined;
    // Anything else (a config object, a cursor, a callback as pg's pool passes one) goes through as given.
    if (name === undefined || typeof values === 'function' || rest.length > 0)
      return query(text, values, ...rest);
    try {
      return await query({ name, text, values });
    } catch (err) {
      if ((err as { code?: string }).code !== '0A000') throw err;
      names.set(text as string, `${name}_${Date.now().toString(36)}`);
      return query({ name: names.get(text as string), text, values });
    }
  };
  (client as unknown as { query: Query }).query = named;
}
