/**
 * The war room's social mentions: the sentiment watch's counts per 10
 * minutes, latest first, for anyone signed in; no section while nothing
 * was read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

for (const dialect of dialects) {
  test(`war room: social mentions per 10 minutes, latest first [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const declared = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: t.auth('admin'),
        payload: { name: 'Card payments fail', body: 'Card payments fail for some customers.' },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const id = String(declared.json().id);
      const viewer = await signedIn(t, 'vic@acme.test', 'viewer');
      const page = async () =>
        (
          await t.app.server.inject({
            method: 'GET',
            url: `/console/incidents/${id}`,
            headers: { cookie: viewer },
          })
        ).body;
      assert.doesNotMatch(await page(), /Social mentions/);

      const mention = (n: number, posted_at: string, label: 'negative' | 'positive', score: number) => ({
        incident_id: id,
        network: 'x',
        handle: `@<b>p${n}</b>`,
        link: `https://x.com/p${n}/status/${n}`,
        posted_at,
        score,
        label,
        language: 'en',
      });
      await t.app.db
        .insertInto('mentions')
        .values([
          mention(1, '2026-06-01T10:01:00.000Z', 'negative', -0.8),
          mention(2, '2026-06-01T10:02:00.000Z', 'negative', -0.6),
          mention(3, '2026-06-01T10:15:00.000Z', 'positive', 0.6),
        ])
        .execute();
      const html = await page();
      assert.match(html, /<h2>Social mentions<\/h2>\s*<p>3 mentions: 2 negative, 0 neutral, 1 positive/);
      const rows = [...html.matchAll(/<tr><td>([^<]+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/g)].map((m) =>
        m.slice(1),
      );
      assert.deepEqual(rows, [
        ['2026-06-01 10:10', '1', '0'],
        ['2026-06-01 10:00', '2', '2'],
      ]);
      assert.doesNotMatch(html, /<b>p1/, 'no handle is shown, let alone unescaped');
    } finally {
      await t.close();
    }
  });
}
