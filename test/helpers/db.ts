/**
 * One store test suite, both databases: `eachDialect` runs a test body on
 * SQLite and, when CRIER_TEST_DATABASE_URL is set, on PostgreSQL too, each
 * time on a fresh database (a new in-memory SQLite, or a new PostgreSQL schema).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { Role } from '../../src/domain/permissions.ts';
import type { Ctx } from '../../src/services/context.ts';
import { ChangeBus } from '../../src/store/changes.ts';
import { type Db, migrate, openDatabase } from '../../src/store/db.ts';
import { newId } from '../../src/store/ids.ts';

export interface TestDialect {
  name: 'sqlite' | 'postgres';
  url: string;
}

const pgUrl = process.env.CRIER_TEST_DATABASE_URL;

export const dialects: TestDialect[] = [
  { name: 'sqlite', url: 'sqlite::memory:' },
  ...(pgUrl ? [{ name: 'postgres' as const, url: pgUrl }] : []),
];

export interface TestDb {
  db: Db;
  /** The URL and schema another process or pool can open the same database with. */
  url: string;
  schema: string | undefined;
  close(): Promise<void>;
}

export async function openTestDb(dialect: TestDialect): Promise<TestDb> {
  if (dialect.name === 'sqlite') {
    const db = openDatabase(dialect.url);
    await migrate(db);
    return { db, url: dialect.url, schema: undefined, close: () => db.destroy() };
  }
  const admin = openDatabase(dialect.url, { poolSize: 1 });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = openDatabase(dialect.url, { schema, poolSize: 5 });
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
    throw err;
  }
  return pgTestDb(dialect, admin, db, schema);
}

function pgTestDb(dialect: TestDialect, admin: Db, db: Db, schema: string): TestDb {
  return {
    db,
    url: dialect.url,
    schema,
    close: async () => {
      await db.destroy();
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    },
  };
}

/** Runs `body` once per configured dialect, each on its own fresh database. */
export function eachDialect(
  test: (name: string, fn: () => Promise<void>) => unknown,
  name: string,
  body: (db: Db, dialect: TestDialect) => Promise<void>,
): void {
  for (const dialect of dialects) {
    test(`${name} [${dialect.name}]`, async () => {
      const t = await openTestDb(dialect);
      try {
        await body(t.db, dialect);
      } finally {
        await t.close();
      }
    });
  }
}

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  #now: number;
  constructor(start = '2026-01-15T10:00:00.000Z') {
    this.#now = Date.parse(start);
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  set(iso: string): void {
    this.#now = Date.parse(iso);
  }
}

export const silentLog = pino({ level: 'silent' });

export function testConfig(overrides: Record<string, string> = {}): Config {
  // A test that listens gets a free port on loopback: two test files listening at once on
  // the default 8080 refused each other (EADDRINUSE). Links keep the default's address.
  return loadConfig({
    CRIER_DEMO: 'false',
    CRIER_LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    CRIER_PUBLIC_URL: 'http://localhost:8080',
    ...overrides,
  });
}

export interface TestCtxOptions {
  role?: Role;
  actor?: string;
  clock?: Clock;
  changes?: ChangeBus;
  config?: Config;
}

export function testCtx(db: Db, options: TestCtxOptions = {}): Ctx {
  return {
    db,
    clock: options.clock ?? new TestClock(),
    log: silentLog,
    config: options.config ?? testConfig(),
    changes: options.changes ?? new ChangeBus(),
    actor: { id: options.actor ?? 'test:alice', role: options.role ?? 'admin', source: 'test' },
  };
}

/**
 * A confirmed subscriber row of `kind` at `contact`, following every
 * component, as an import leaves it: for tests that load subscribers in
 * bulk without the subscription flow.
 */
export function confirmedSubscriber(
  kind: 'email' | 'webhook',
  contact: string,
  secret: string | null = null,
) {
  const now = new Date().toISOString();
  return {
    id: newId(),
    audience: 'public',
    kind,
    contact,
    contact_key: contact,
    state: 'confirmed' as const,
    all_components: 1,
    component_ids: '[]',
    locale: null,
    token: newId() + newId(),
    confirm_token: null,
    secret,
    source: 'import',
    disabled_reason: null,
    created_at: now,
    updated_at: now,
    confirmed_at: now,
  };
}

/** The secret bulk-loaded webhook subscribers are signed with. */
const bulkWebhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const rowsPerInsert = 250;

/**
 * Writes `n` confirmed subscribers of `kind`, the `i`th (from 0) reached at
 * `contactOf(i)`, 250 rows to a statement (within SQLite's and PostgreSQL's
 * limits on parameters): the fan-out benchmarks' and fan-out tests' load.
 */
export async function seedSubscribers(
  db: Db,
  n: number,
  kind: 'email' | 'webhook',
  contactOf: (i: number) => string,
): Promise<void> {
  for (let i = 0; i < n; i += rowsPerInsert) {
    const rows = [];
    for (let j = i; j < Math.min(n, i + rowsPerInsert); j++) {
      rows.push(confirmedSubscriber(kind, contactOf(j), kind === 'webhook' ? bulkWebhookSecret : null));
    }
    await db.insertInto('subscribers').values(rows).execute();
  }
}

/**
 * Waits until the outbox is drained: no job due or running, and no delivery
 * waiting, being sent, or failed and due to be retried. Every message the
 * work so far leads to has then been sent and recorded, so what a receiver
 * has is all it will get: count then, rather than after a fixed sleep.
 */
export async function outboxDrained(db: Db, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const now = new Date().toISOString();
    const job = await db
      .selectFrom('outbox_jobs')
      .select(['kind', 'state'])
      .where((eb) =>
        eb.or([eb('state', '=', 'running'), eb.and([eb('state', '=', 'pending'), eb('run_at', '<=', now)])]),
      )
      .limit(1)
      .executeTakeFirst();
    const delivery = await db
      .selectFrom('deliveries')
      .select(['channel', 'state'])
      .where((eb) =>
        eb.or([
          eb('state', 'in', ['pending', 'sending']),
          eb.and([eb('state', '=', 'failed'), eb('next_attempt_at', '<=', now)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    if (!job && !delivery) return;
    if (Date.now() > until) {
      throw new Error(`the outbox was not drained after ${ms} ms: ${JSON.stringify({ job, delivery })}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
