/**
 * The war room through HTTP, on both databases: the countdown to each
 * audience's next update (amber five minutes before, red when overdue), the
 * ETA, the affected components' statuses, a new draft's status, the
 * timeline; what a role may not do is neither offered nor done. And the
 * live stream: 401 without a session, changes as they commit with one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: UTC }
severities:
  SEV2: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
`;

for (const dialect of dialects) {
  test(`war room: countdown, ETA, components, draft status, timeline [${dialect.name}]`, async () => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const t = await startTestApp(dialect, { clock });
    const inject = t.app.server.inject.bind(t.app.server);
    try {
      const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
        const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
        return res.json() as Record<string, unknown>;
      };
      await api('PUT', '/api/v1/plan', { source: plan });
      const payments = String((await api('POST', '/api/v1/components', { name: 'Payments API' })).id);
      const other = String((await api('POST', '/api/v1/components', { name: 'Search' })).id);
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const viewer = await signedIn(t, 'vic@acme.test', 'viewer');

      const declared = await inject(
        form(lead, '/console/incidents', {
          name: 'Card payments fail',
          severity: 'SEV2',
          component: payments,
          component_status: 'major_outage',
          body:
            'Card payments fail for some customers in Payments API; we are restoring the service. ' +
            'Next update by {{ next_update_at }}.',
        }),
      );
      assert.equal(declared.statusCode, 303, declared.body);
      const id = String(declared.headers.location).split('/')[3]?.split('?')[0] as string;
      const page = async (cookie = lead) =>
        (await inject({ method: 'GET', url: `/console/incidents/${id}`, headers: { cookie } })).body;

      // Words that pass lint, with no approval for SEV2, are published as the incident is declared.
      const first = (await api('GET', `/api/v1/incidents/${id}`)).incident_updates as { state: string }[];
      assert.deepEqual(
        first.map((u) => u.state),
        ['published'],
      );

      // The countdown: the public deadline written at publication, 30 minutes on; amber, then red.
      assert.match(
        await page(),
        /Next public update<\/dt><dd><time datetime="2026-01-15T10:30:00.000Z">[^<]+<\/time> <span class="due ok" data-due="2026-01-15T10:30:00.000Z">in 30 min<\/span>/,
      );
      clock.advance(26 * 60_000);
      assert.match(await page(), /<span class="due soon" [^>]+>in 4 min<\/span>/);
      clock.advance(5 * 60_000);
      assert.match(await page(), /<span class="due late" [^>]+>1 min overdue<\/span>/);
      const now = await inject({ method: 'GET', url: '/console', headers: { cookie: lead } });
      assert.match(
        now.body,
        /<span class="due late" [^>]+>1 min overdue<\/span>/,
        'the Now screen counts down too',
      );
      assert.match(now.body, /<meta name="crier-now" content="2026-01-15T10:31:00.000Z">/);

      // Components: the affected one is set now; one not linked to the incident is refused, nothing moves.
      assert.match(
        await page(),
        new RegExp(`name="status:${payments}">.*<option value="major_outage" selected>`),
      );
      const set = await inject(
        form(lead, `/console/incidents/${id}/components`, { [`status:${payments}`]: 'degraded_performance' }),
      );
      assert.equal(set.statusCode, 303, set.body);
      assert.equal((await api('GET', `/api/v1/components/${payments}`)).status, 'degraded_performance');
      const foreign = await inject(
        form(lead, `/console/incidents/${id}/components`, { [`status:${other}`]: 'major_outage' }),
      );
      assert.equal(foreign.statusCode, 400);
      assert.match(foreign.body, /class="notice error"[^>]*>Only the components linked to this incident/);
      assert.equal((await api('GET', `/api/v1/components/${other}`)).status, 'operational');
      const bad = await inject(
        form(lead, `/console/incidents/${id}/components`, { [`status:${payments}`]: 'on_fire' }),
      );
      assert.equal(bad.statusCode, 400);

      // ETA: typed in UTC, kept as an instant; nonsense is refused and changes nothing.
      assert.equal(
        (await inject(form(lead, `/console/incidents/${id}/eta`, { eta: '2026-01-15T12:00' }))).statusCode,
        303,
      );
      assert.equal((await api('GET', `/api/v1/incidents/${id}`)).eta, '2026-01-15T12:00:00.000Z');
      assert.match(await page(), /name="eta" value="2026-01-15T12:00"/);
      assert.equal(
        (await inject(form(lead, `/console/incidents/${id}/eta`, { eta: 'tomorrow' }))).statusCode,
        400,
      );
      assert.equal((await api('GET', `/api/v1/incidents/${id}`)).eta, '2026-01-15T12:00:00.000Z');

      // A new draft announces the status chosen for it.
      const drafted = await inject(
        form(lead, `/console/incidents/${id}/drafts`, {
          audience: 'public',
          status: 'monitoring',
          body: 'A fix is in place; we are watching payments recover in Payments API.',
        }),
      );
      assert.equal(drafted.statusCode, 303, drafted.body);
      assert.match(await page(), /<h3>draft: public, monitoring<\/h3>/);

      // The viewer sees statuses and the ETA, no controls; asking anyway is refused with nothing changed.
      const seen = await page(viewer);
      assert.doesNotMatch(seen, /action="[^"]+\/(components|eta)"/);
      assert.match(seen, /<dt>Payments API<\/dt><dd>degraded performance<\/dd>/);
      const refused = await inject(
        form(viewer, `/console/incidents/${id}/components`, { [`status:${payments}`]: 'operational' }),
      );
      assert.equal(refused.statusCode, 403);
      assert.equal((await api('GET', `/api/v1/components/${payments}`)).status, 'degraded_performance');

      // The timeline, newest first: who did what.
      const timeline = (await page()).split('<h2>Timeline</h2>')[1] ?? '';
      const said = [...timeline.matchAll(/<strong>([^<]+)<\/strong> ([^<:]+)/g)].map(
        (m) => `${m[1]} ${m[2]?.trim()}`,
      );
      assert.deepEqual(said, [
        'user:ivy@acme.test drafted an update',
        'user:ivy@acme.test edited the incident',
        'user:ivy@acme.test set component statuses',
        'user:ivy@acme.test declared the incident',
      ]);
      assert.match(timeline, /component moved: <q>Payments API: degraded performance<\/q>/);
      assert.match(timeline, /component moved: <q>Payments API: major outage<\/q>/);
    } finally {
      await t.close();
    }
  });
}

test('the console script and the live stream: 401 without a session, changes as they commit', async () => {
  const [dialect] = dialects;
  const t = await startTestApp(dialect as (typeof dialects)[number]);
  try {
    const js = await t.app.server.inject({ method: 'GET', url: '/console/console.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.match(js.body, /new EventSource\('\/console\/events'/);

    const url = await t.app.server.listen({ port: 0, host: '127.0.0.1' });
    const anonymous = await fetch(`${url}/console/events`);
    assert.equal(anonymous.status, 401);
    const cookie = await signedIn(t, 'ivy@acme.test', 'incident_lead');
    const stream = await fetch(`${url}/console/events`, { headers: { cookie } });
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers.get('content-type')), /^text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const declared = await t.app.server.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: t.auth('admin'),
      payload: { name: 'Search is slow', body: 'We are investigating slow searches.' },
    });
    assert.equal(declared.statusCode, 201, declared.body);
    const id = String(declared.json().id);
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes(`data: {"kind":"incident","id":"${id}"}`)) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the stream stayed open until the change: ${text}`);
      text += decoder.decode(value);
    }
    assert.match(text, /^retry: 2000\n\nevent: change\n/);
    await reader.cancel();
  } finally {
    await t.close();
  }
});
