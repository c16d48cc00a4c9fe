/** Opening the database named by a URL, and migrating it. */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import { type DialectName, dialectOf } from './dialect.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface OpenOptions {
  /** PostgreSQL only: the schema to work in (tests use one each). */
  schema?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
}

export function openDatabase(url: string, options: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  return openPostgres(url, options);
}

function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: reusingStatements(sqlite) }),
  });
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
        if (cache.size > 256) cache.delete(cache.keys().next().value as string);
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
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection must not take the process down; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * On PostgreSQL, the schema the migration tables live in, named outright:
 * unnamed, Kysely looks for them in every schema and, when another schema
 * in the same database has them, takes them for its own and fails.
 */
async function migrationSchema(db: Db): Promise<{ migrationTableSchema?: string }> {
  if (dialect(db) !== 'postgres') return {};
  const row = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = row.rows[0]?.schema;
  return schema ? { migrationTableSchema: schema } : {};
}

/**
 * Kysely's migrator reads the tables of every schema in the database; a
 * schema someone else drops meanwhile (tests drop theirs) fails that read
 * before any migration runs (they run in one transaction), so nothing was
 * done: read again.
 */
async function readingSchemasAgain<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 3 || !/schema "[^"]*" does not exist/.test(String(err))) throw err;
    }
  }
}

/** Runs every pending migration. Throws with the failing migration's name. */
export function migrate(db: Db): Promise<string[]> {
  return readingSchemasAgain(async () => {
    const migrator = new Migrator({ db, provider, ...(await migrationSchema(db)) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(
        `Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  });
}

/** True when every known migration has been applied. */
export function migrationsCurrent(db: Db): Promise<boolean> {
  return readingSchemasAgain(async () => {
    const migrator = new Migrator({ db, provider, ...(await migrationSchema(db)) });
    const list = await migrator.getMigrations();
    return list.every((m) => m.executedAt !== undefined);
  });
}

export function dialect(db: Db): DialectName {
  return dialectOf(db as unknown as Kysely<unknown>);
}
