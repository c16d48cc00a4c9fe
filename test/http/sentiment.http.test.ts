/**
 * `GET /api/v1/incidents/:id/sentiment`: an incident's mentions per time
 * bucket, per network and in total, for any signed-in role; an unknown
 * incident is a 404 and a bucket width the API does not offer a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { dialects, testCtx } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

let t: TestApp;
let incidentId = '';
for (const dialect of dialects)
  describe(dialect.name, () => {
    before(async () => {
      t = await startTestApp(dialect);
      incidentId = (await declareIncident(testCtx(t.app.db), { name: 'API errors', body: 'Requests fail.' }))
        .id;
      const mention = (
        n: number,
        network: string,
        posted_at: string,
        label: 'negative' | 'neutral' | 'positive',
        score: number,
      ) => ({
        incident_id: incidentId,
        network,
        handle: `@p${n}`,
        link: `https://social.example/${n}`,
        posted_at,
        score,
        label,
        language: 'en',
      });
      await t.app.db
        .insertInto('mentions')
        .values([
          mention(1, 'mastodon', '2026-06-01T10:01:00.000Z', 'negative', -0.8),
          mention(2, 'x', '2026-06-01T10:04:00.000Z', 'negative', -0.6),
          mention(3, 'x', '2026-06-01T10:09:59.000Z', 'neutral', 0),
          mention(4, 'bluesky', '2026-06-01T10:12:00.000Z', 'positive', 0.7),
        ])
        .execute();
    });
    after(() => t.close());

    test('volume and sentiment per bucket, per network and in total, for a viewer', async () => {
      const r = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${incidentId}/sentiment`,
        headers: t.auth('viewer'),
      });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.equal(body.bucket_seconds, 600);
      assert.deepEqual(body.totals, {
        mentions: 4,
        negative: 2,
        neutral: 1,
        positive: 1,
        average_score: -0.175,
      });
      assert.deepEqual(body.buckets, [
        {
          start: '2026-06-01T10:00:00.000Z',
          mentions: 3,
          negative: 2,
          neutral: 1,
          positive: 0,
          average_score: -0.467,
        },
        {
          start: '2026-06-01T10:10:00.000Z',
          mentions: 1,
          negative: 0,
          neutral: 0,
          positive: 1,
          average_score: 0.7,
        },
      ]);
      assert.deepEqual(body.networks.x, {
        mentions: 2,
        negative: 1,
        neutral: 1,
        positive: 0,
        average_score: -0.3,
      });

      const hourly = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${incidentId}/sentiment?bucket=1h`,
        headers: t.auth('viewer'),
      });
      assert.equal(hourly.json().buckets.length, 1);
    });

    test('an unknown incident is a 404, a bucket width not offered a 400, no token a 401', async () => {
      const missing = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/incidents/nope/sentiment',
        headers: t.auth('viewer'),
      });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'incident_not_found');
      const bad = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${incidentId}/sentiment?bucket=7m`,
        headers: t.auth('viewer'),
      });
      assert.equal(bad.statusCode, 400);
      const anonymous = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${incidentId}/sentiment`,
      });
      assert.equal(anonymous.statusCode, 401);
    });
  });
