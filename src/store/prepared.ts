/**
 * Statements built and compiled once, run many times: the ones a process
 * runs on its own clock whether or not there is work (the worker's claims
 * every second per lane, the plan's version every two seconds). Building a
 * query through Kysely makes a tree of frozen objects and compiling walks
 * it into SQL; done on every tick, that was most of what an idle process
 * spent (docs/performance.md, "What runs on its own clock").
 *
 * The builder is called once per dialect with a marker in place of each
 * argument; the compiled SQL keeps the markers' places among its
 * parameters, and each run puts the arguments there. So a builder must only
 * place its arguments, not compute with them (no `new Date(now)` inside).
 * On SQLite the statement is then prepared once per database handle (db.ts
 * reuses statements by their SQL); on PostgreSQL it is a named statement,
 * parsed once per connection (`namedStatement` in db.ts).
 */
import { type Compilable, type CompiledQuery, createQueryId, type QueryResult } from 'kysely';
import type { Db } from './db.ts';
import { type DialectName, dialectOf } from './dialect.ts';
import { nameStatement } from './statement-names.ts';

const marker = Symbol('argument');
interface Marker {
  readonly [marker]: string;
}
const isMarker = (value: unknown): value is Marker =>
  typeof value === 'object' && value !== null && marker in value;

interface Compiled {
  query: CompiledQuery['query'];
  sql: string;
  /** For each parameter, the argument it takes (by name) or its constant value. */
  parameters: ({ argument: string } | { value: unknown })[];
}

/**
 * A query compiled once per dialect. `build` gets the database and markers standing for the
 * arguments, and returns the query; the result runs it on any handle (a transaction's too).
 */
export function prepared<A extends Record<string, unknown>, R>(
  build: (db: Db, args: A) => Compilable<R>,
): (db: Db, args: A) => Promise<QueryResult<R>> {
  const compiled = new Map<DialectName, Compiled>();
  const markers = new Proxy({} as A, {
    get: (_target, key) => ({ [marker]: String(key) }),
  });
  return (db, args) => {
    const dialect = dialectOf(db);
    let c = compiled.get(dialect);
    if (!c) {
      const query = build(db, markers).compile();
      c = {
        query: query.query,
        sql: query.sql,
        parameters: query.parameters.map((p) => (isMarker(p) ? { argument: p[marker] } : { value: p })),
      };
      if (dialect === 'postgres') nameStatement(c.sql);
      compiled.set(dialect, c);
    }
    const parameters = c.parameters.map((p) => ('argument' in p ? args[p.argument] : p.value));
    return db.executeQuery<R>({ query: c.query, queryId: createQueryId(), sql: c.sql, parameters });
  };
}
