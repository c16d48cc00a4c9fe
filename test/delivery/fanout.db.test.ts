import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LeasedDelivery } from '../../src/store/deliveries.ts';
import { expandBatch } from '../../src/store/fanout.ts';
import type { FanoutPayload } from '../../src/store/outbox.ts';
import { confirmedSubscriber, eachDialect } from '../helpers/db.ts';

const payload: FanoutPayload = {
  subject_type: 'incident_update',
  subject_id: 'update-1',
  incident_id: 'incident-1',
  audience: 'public',
  component_ids: [],
  sms_default: true,
  drill: false,
};

eachDialect(
  test,
  'a fan-out batch hands its lanes the rows it leased, under the ids they were written with',
  async (db) => {
    const subscribers = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? confirmedSubscriber('webhook', `https://hooks.example.com/${i}`, `whsec_${i}`)
        : confirmedSubscriber('email', `user${i}@example.com`),
    );
    await db.insertInto('subscribers').values(subscribers).execute();
    // One webhook subscriber already has its delivery (a batch repeated after a crash, say): the
    // batch it falls in inserts one row fewer and must hand over exactly the rows it wrote.
    const byId = [...subscribers].sort((a, b) => (a.id < b.id ? -1 : 1));
    const already = byId.filter((s) => s.kind === 'webhook')[7];
    const now = new Date();
    await db
      .insertInto('deliveries')
      .values({
        id: 'written-before',
        subject_type: payload.subject_type,
        subject_id: payload.subject_id,
        subscriber_id: already?.id ?? '',
        channel: 'webhook',
        state: 'sent',
        attempts: 1,
        next_attempt_at: now.toISOString(),
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .execute();

    const until = new Date(now.getTime() + 60_000);
    const handed: LeasedDelivery[] = [];
    let cursor: string | null = null;
    let batches = 0;
    do {
      const batch = await db.transaction().execute((tx) =>
        expandBatch(tx, payload, cursor, ['webhook', 'email'], 10, now, {
          kinds: new Set(['webhook']),
          until,
        }),
      );
      assert.equal(batch.leased.length, batch.leased.filter((d) => d.channel === 'webhook').length);
      handed.push(...batch.leased);
      cursor = batch.cursor;
      batches++;
    } while (cursor !== null);
    assert.equal(batches, 3);

    // What the lanes got is what the table holds, row for row.
    const written = await db
      .selectFrom('deliveries as d')
      .innerJoin('subscribers as s', 's.id', 'd.subscriber_id')
      .select(['d.id', 'd.subscriber_id', 'd.channel', 'd.attempts', 's.contact', 's.token', 's.secret'])
      .where('d.state', '=', 'sending')
      .orderBy('d.id')
      .execute();
    assert.equal(written.length, 11);
    assert.deepEqual(
      handed
        .map((d) => ({
          id: d.id,
          subscriber_id: d.subscriber_id,
          channel: d.channel,
          attempts: d.attempts,
          contact: d.contact,
          token: d.token,
          secret: d.secret,
        }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
      written,
    );
    for (const d of handed) {
      assert.equal(d.subject_id, payload.subject_id);
      assert.equal(d.subscriber_state, 'confirmed');
      assert.equal(d.lease_until_ms, until.getTime());
    }
    // The email rows wait in the table for a claim.
    const pending = await db
      .selectFrom('deliveries')
      .select('channel')
      .where('state', '=', 'pending')
      .execute();
    assert.deepEqual(new Set(pending.map((p) => p.channel)), new Set(['email']));
    assert.equal(pending.length, 12);
  },
);
