import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Compilable, CompiledQuery, sql } from 'kysely';
import { databaseGauges, deliveryGaugeQueries } from '../../src/http/metrics.ts';
import { type Db, dialect } from '../../src/store/db.ts';
import { claimQuery, recordOutcomes } from '../../src/store/deliveries.ts';
import type { DeliveryState } from '../../src/store/schema.ts';
import { eachDialect } from '../helpers/db.ts';

/**
 * The plan the database makes for a query, with its parameters bound as
 * when it runs: states passed as parameters rather than written as literals
 * could not use a partial index on SQLite, and the query would read every
 * delivery ever made.
 */
async function plan(db: Db, query: Compilable<unknown>): Promise<string> {
  const pg = dialect(db) === 'postgres';
  const compiled = query.compile();
  const explain = CompiledQuery.raw(`explain ${pg ? '' : 'query plan '}${compiled.sql}`, [
    ...compiled.parameters,
  ]);
  return db.connection().execute(async (conn) => {
    // The table is small, so without this PostgreSQL would rightly read it whole.
    if (pg) await sql`set enable_seqscan = off`.execute(conn);
    const rows = (await conn.executeQuery<Record<string, string>>(explain)).rows;
    if (pg) await sql`reset enable_seqscan`.execute(conn);
    return rows.map((r) => (pg ? r['QUERY PLAN'] : r.detail)).join('\n');
  });
}

eachDialect(
  test,
  'the claim and the metrics read the partial indexes of unsent and dead deliveries',
  async (db) => {
    const claim = await plan(
      db,
      claimQuery(db, {
        channel: 'email',
        now: new Date().toISOString(),
        lease: new Date(Date.now() + 60_000).toISOString(),
        limit: 200,
      }),
    );
    assert.match(claim, /deliveries_due/, claim);
    const gauges = deliveryGaugeQueries(db);
    const unsent = await plan(db, gauges.unsent);
    assert.match(unsent, /deliveries_due/, unsent);
    const dead = await plan(db, gauges.dead);
    assert.match(dead, /deliveries_dead/, dead);
  },
);

eachDialect(
  test,
  '/metrics counts waiting and dead deliveries by state, and sent ones as outcomes are written',
  async (db) => {
    const at = '2026-11-27T14:00:00.000Z';
    const row = (id: string, channel: string, state: DeliveryState) => ({
      id,
      subject_type: 'incident_update',
      subject_id: 'u1',
      incident_id: 'i1',
      subscriber_id: `s-${id}`,
      channel,
      state,
      attempts: state === 'sending' ? 1 : 0,
      next_attempt_at: at,
      lease_until: state === 'sending' ? at : null,
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('deliveries')
      .values([
        row('d1', 'email', 'sending'),
        row('d2', 'email', 'sending'),
        row('d3', 'email', 'sending'),
        row('d4', 'email', 'pending'),
        row('d5', 'webhook', 'dead'),
        row('d6', 'webhook', 'sending'),
      ])
      .execute();
    await recordOutcomes(
      db,
      'email',
      [
        { id: 'd1', state: 'sent', via: 'email', providerId: null },
        { id: 'd2', state: 'sent', via: 'email', providerId: 'provider-2' },
        { id: 'd3', state: 'failed', via: 'email', error: '451 try later', retryAt: at },
      ],
      new Date(at),
    );
    await recordOutcomes(
      db,
      'webhook',
      [{ id: 'd6', state: 'sent', via: 'webhook', providerId: null }],
      new Date(at),
    );
    await recordOutcomes(db, 'email', [{ id: 'd4', state: 'expired' }], new Date(at));
    const text = await databaseGauges(db, new Date(at));
    const lines = text.split('\n').filter((l) => l.startsWith('crier_deliveries'));
    assert.deepEqual(lines.sort(), [
      'crier_deliveries_sent_total{channel="email"} 2',
      'crier_deliveries_sent_total{channel="webhook"} 1',
      'crier_deliveries{channel="email",state="failed"} 1',
      'crier_deliveries{channel="email",state="pending"} 1',
      'crier_deliveries{channel="webhook",state="dead"} 1',
    ]);
  },
);
