/** Opening the database named by a URL, and migrating it. */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Driver,
  Kysely,
  PostgresDialect,
  type SchemaMetadata,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import { type DialectName, dialectOf } from './dialect.ts';
import { type DatabaseFault, databaseFault } from './faults.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { sendNamedStatements } from './statement-names.ts';

export type Db = Kysely<Database>;

export interface OpenOptions {
  /** PostgreSQL only: the schema to work in (tests use one each). */
  schema?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
  /** Where a connection lost while nobody was querying it is reported. */
  log?: { warn(details: object, message: string): void };
}

export function openDatabase(url: string, options: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  return openPostgres(url, options);
}

/** How long a write waits for another connection's write lock before SQLITE_BUSY (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // Pages freed by retention's deletes can be given back to the file system (store/retention.ts).
  // Only a new, empty database takes it (an older one keeps its mode until a VACUUM), and setting it
  // on an existing one writes its header, which a read-only file refuses: so only when empty.
  if (sqlite.pragma('page_count', { simple: true }) === 0) sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return tracked(new ImmediateSqliteDialect({ database: reusingStatements(sqlite) }));
}

/** The last write that failed because of the database (a full disk), until a write succeeds. */
interface WriteHealth {
  fault: DatabaseFault | null;
  at: number;
}
const writeHealth = new WeakMap<Db, WriteHealth>();

/** Statements that change something; a failed read says nothing about whether writes go through. */
const writes = /^\s*(insert|update|delete|begin|commit|replace)\b/i;

/**
 * A Kysely whose writes are watched: a write failing for a reason of the database's own (see
 * faults.ts) is kept for /readyz, and forgotten when a write succeeds. A full disk shows only
 * when something is written, so this is how readiness can know of it.
 */
function tracked(dialect: SqliteDialect | PostgresDialect): Db {
  const health: WriteHealth = { fault: null, at: 0 };
  const db = new Kysely<Database>({
    dialect,
    log(event) {
      if (!writes.test(event.query.sql)) return;
      if (event.level === 'query') {
        if (health.fault) health.fault = null;
        return;
      }
      const fault = databaseFault(event.error);
      if (fault) Object.assign(health, { fault, at: Date.now() });
    },
  });
  writeHealth.set(db, health);
  return db;
}

/** The last write that failed for the database's sake, if no write has succeeded since. */
export function lastWriteFault(db: Db): { fault: DatabaseFault; at: number } | null {
  const h = writeHealth.get(db);
  return h?.fault ? { fault: h.fault, at: h.at } : null;
}

/**
 * Transactions take the write lock at BEGIN. A deferred one that reads and
 * then writes fails at once (SQLITE_BUSY, no waiting) when another
 * connection committed in between (`crier worker` beside `crier serve`);
 * an immediate one waits for the lock (busy_timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL among them); the
   * rollback that follows then fails with "cannot rollback - no transaction is active", and that
   * error would replace the one that says what happened. The transaction is over either way.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (err) {
      if (!/no transaction is active/.test(String(err))) throw err;
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * better-sqlite3 with prepared statements reused by their SQL. Preparing
 * costs more than running most of Crier's queries, and each statement holds
 * native memory that is only released when the garbage collector gets to it,
 * so a worker preparing thousands of them grows its RSS for nothing.
 */
function reusingStatements(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      // A statement still being iterated (a streamed query) cannot run again; prepare a new one.
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        const oldest = cache.keys().next();
        if (cache.size > 256 && !oldest.done) cache.delete(oldest.value);
      }
      return statement;
    },
  };
}

// PostgreSQL counts and sums come back as strings by default; Crier's are small.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

function openPostgres(url: string, options: OpenOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // A database that does not answer fails a request within seconds rather than hold it.
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client losing its connection emits `error`, and an unheard `error` ends the process. The
  // pool hears its idle clients'; a client checked out (between a transaction's statements) has
  // only this listener. The query in flight fails with its own error, which its caller handles.
  pool.on('connect', (client) => {
    client.on('error', (err) => options.log?.warn({ err }, 'a database connection was lost'));
    sendNamedStatements(client);
  });
  // The pool's own report of an idle client's loss repeats the client's, heard above.
  pool.on('error', () => {});
  return tracked(new PostgresDialect({ pool }));
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * On PostgreSQL, the schema the migration tables live in, named outright:
 * unnamed, Kysely looks for them in every schema and, when another schema
 * in the same database has them, takes them for its own and fails.
 */
async function migrationSchema(db: Db): Promise<string | undefined> {
  if (dialect(db) !== 'postgres') return undefined;
  const row = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return row.rows[0]?.schema ?? undefined;
}

/**
 * A migrator for the database. Kysely's own PostgreSQL introspector reads the
 * tables of every schema in the database, looking each schema up by name; a
 * schema someone drops meanwhile (tests drop theirs, an operator may drop
 * one) fails that read. The migrator only asks whether its two tables and its
 * schema exist, so on PostgreSQL it is answered from the catalog of the
 * migration schema alone.
 *
 * Migrations written side by side can land in either order: one that sorts
 * before a migration already applied still runs (those touch tables and
 * columns of their own, so their order between themselves is free).
 */
async function migratorFor(db: Db): Promise<Migrator> {
  const schema = await migrationSchema(db);
  if (schema === undefined) return new Migrator({ db, provider, allowUnorderedMigrations: true });
  const introspection: DatabaseIntrospector = {
    getSchemas: async () =>
      (
        await sql<SchemaMetadata>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(
          db,
        )
      ).rows,
    getTables: async () =>
      (
        await sql<{ name: string }>`select c.relname as name from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(db)
      ).rows.map((row) => ({ name: row.name, schema, isView: false, isForeign: false, columns: [] })),
  };
  const scoped = new Proxy(db, {
    get(target, key) {
      if (key === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Migrator({ db: scoped, provider, migrationTableSchema: schema, allowUnorderedMigrations: true });
}

/**
 * Runs every pending migration, or those up to `upTo` (never down: a
 * database past it is left as it is). Throws with the failing migration's name.
 */
export async function migrate(db: Db, upTo?: string): Promise<string[]> {
  const migrator = await migratorFor(db);
  if (upTo !== undefined && (await appliedMigrations(db)).some((name) => name >= upTo)) return [];
  const { error, results } = await (upTo === undefined
    ? migrator.migrateToLatest()
    : migrator.migrateTo(upTo));
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The names of every known migration, in order. */
export const migrationNames: readonly string[] = Object.keys(migrations).sort();

/** The migrations applied to the database, in order (none on a new one). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const list = await (await migratorFor(db)).getMigrations();
  return list.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

/** True when every known migration has been applied. */
export async function migrationsCurrent(db: Db): Promise<boolean> {
  const list = await (await migratorFor(db)).getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}

export function dialect(db: Db): DialectName {
  return dialectOf(db);
}
