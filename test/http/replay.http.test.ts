/**
 * POST /deliveries/replay selects what it replays: by incident, by update, by channel, or
 * everything only when the body says `{"all": true}`; an empty body is refused and changes
 * nothing.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

const env = { CRIER_PLAN: path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml') };

async function deadDeliveries(t: TestApp): Promise<void> {
  const now = new Date().toISOString();
  const ids: Record<string, string> = {};
  for (const [kind, contact] of [
    ['email', { email: 'a@example.com' }],
    ['sms', { phone: '+14155550100' }],
  ] as const) {
    const res = await t.app.server.inject({
      method: 'POST',
      url: '/api/v1/subscribers',
      headers: t.auth('admin'),
      payload: contact,
    });
    assert.equal(res.statusCode, 201, res.body);
    const view = JSON.parse(res.body) as { id: string; state: string };
    assert.equal(view.state, 'confirmed');
    ids[kind] = view.id;
  }
  const rows = [
    ['d1', 'i1', 'u1', 'email'],
    ['d2', 'i1', 'u1', 'sms'],
    ['d3', 'i1', 'u2', 'email'],
    ['d4', 'i2', 'u3', 'email'],
    ['d5', 'i2', 'u3', 'sms'],
  ].map(([id, incident, update, channel]) => ({
    id: id as string,
    subject_type: 'incident_update',
    subject_id: update as string,
    incident_id: incident as string,
    subscriber_id: ids[channel as string] as string,
    channel: channel as string,
    via: channel as string,
    state: 'dead' as const,
    attempts: 10,
    next_attempt_at: now,
    lease_until: null,
    provider_id: null,
    last_error: 'HTTP 503',
    created_at: now,
    updated_at: now,
    sent_at: null,
  }));
  await t.app.db.insertInto('deliveries').values(rows).execute();
}

for (const dialect of dialects) {
  test(`deliveries replay: by incident, update and channel; everything only when asked [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      await deadDeliveries(t);
      const replay = (payload?: unknown) =>
        t.app.server.inject({
          method: 'POST',
          url: '/api/v1/deliveries/replay',
          headers: t.auth('incident_lead'),
          ...(payload !== undefined && { payload: payload as object }),
        });
      const pending = async () =>
        (
          await t.app.db
            .selectFrom('deliveries')
            .select('id')
            .where('state', '=', 'pending')
            .orderBy('id')
            .execute()
        ).map((r) => r.id);

      for (const [body, why] of [
        [undefined, 'no body'],
        [{}, 'an empty object'],
        [{ all: false }, 'all: false'],
        [{ all: true, channel: 'email' }, 'all beside a filter'],
        [{ incident: 'i1' }, 'a field replay does not know'],
      ] as const) {
        const res = await replay(body);
        assert.equal(res.statusCode, 400, `${why}: ${res.body}`);
        assert.equal(JSON.parse(res.body).error.code, 'validation_failed', why);
      }
      assert.match(
        JSON.parse((await replay({})).body).error.details[0].message,
        /\{"all": true\}/,
        'the refusal says how to replay everything',
      );
      assert.deepEqual(await pending(), [], 'a refused replay changes nothing');

      assert.deepEqual(JSON.parse((await replay({ incident_id: 'i1', channel: 'email' })).body), {
        replayed: 2,
      });
      assert.deepEqual(await pending(), ['d1', 'd3']);
      assert.deepEqual(JSON.parse((await replay({ update_id: 'u3' })).body), { replayed: 2 });
      assert.deepEqual(await pending(), ['d1', 'd3', 'd4', 'd5']);
      assert.deepEqual(JSON.parse((await replay({ all: true })).body), { replayed: 1 });
      assert.deepEqual(await pending(), ['d1', 'd2', 'd3', 'd4', 'd5']);

      const audit = await t.app.db
        .selectFrom('audit_log')
        .select('after')
        .where('action', '=', 'delivery.replay')
        .orderBy('id')
        .execute();
      assert.equal(audit.length, 3, 'each replay that ran is audited, the refused ones are not');
    } finally {
      await t.close();
    }
  });
}
