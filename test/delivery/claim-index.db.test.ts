import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { claimQuery } from '../../src/delivery/store.ts';
import { dialect } from '../../src/store/db.ts';
import { eachDialect } from '../helpers/db.ts';

eachDialect(test, 'the claim reads the partial index of unsent deliveries', async (db) => {
  const pg = dialect(db) === 'postgres';
  // Planned with its parameters bound, as it runs: a claim passing the states as parameters
  // could not use the partial index on SQLite, and would scan every delivery ever made.
  const claim = claimQuery(db, 'email', new Date(), 60_000, 200).compile();
  const explain = CompiledQuery.raw(`explain ${pg ? '' : 'query plan '}${claim.sql}`, [...claim.parameters]);
  const plan = await db.connection().execute(async (conn) => {
    // The table is empty, so without this PostgreSQL would rightly read it whole.
    if (pg) await sql`set enable_seqscan = off`.execute(conn);
    const rows = (await conn.executeQuery<Record<string, string>>(explain)).rows;
    if (pg) await sql`reset enable_seqscan`.execute(conn);
    return rows.map((r) => (pg ? r['QUERY PLAN'] : r.detail)).join('\n');
  });
  assert.match(plan, /deliveries_due/, plan);
});
