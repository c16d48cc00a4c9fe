/**
 * Delivery progress in the war room through HTTP, on both databases, with
 * a real delivery worker and a webhook receiver on loopback: per channel,
 * the failures listed with the recipient masked, the provider's error (only
 * for those who may read contacts) and the attempts; a dead one replayed on
 * its own by those who may, and by nobody from another incident's page.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import { deliveryServices } from '../../src/worker.ts';
import { form, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const plan = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: UTC }
severities:
  SEV2: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, webhook] }
channels:
  webhook: { type: webhook }
`;

const words =
  'Card payments fail for some customers in Payments API; we are restoring the service. ' +
  'Next update by {{ next_update_at }}.';

for (const dialect of dialects) {
  test(`war room: delivery per channel, failures masked with error and attempts, replay one [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_ALLOW_PRIVATE_NETWORK: 'true' } });
    let refuse = true;
    const receiver = await startReceiver(() =>
      refuse ? { status: 400, body: 'no such <hook>' } : { status: 200, body: 'ok' },
    );
    const ctx = t.app.systemCtx;
    const worker = new Worker(
      ctx,
      deliveryServices(ctx),
      buildChannelSet({}, { allowPrivateNetwork: true, userAgent: 'test' }),
      new DeliveryMetrics(),
      { pollMs: 50, leaseMs: 5_000 },
    );
    const inject = t.app.server.inject.bind(t.app.server);
    try {
      const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
        const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
        return res.json() as Record<string, unknown>;
      };
      await api('PUT', '/api/v1/plan', { source: plan });
      await api('POST', '/api/v1/subscribers', { webhook: `${receiver.url}/hook` });
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const carol = await signedIn(t, 'carol@acme.test', 'comms_lead');
      const viewer = await signedIn(t, 'vic@acme.test', 'viewer');
      worker.start();
      const declare = async (name: string) => {
        const res = await inject(form(lead, '/console/incidents', { name, severity: 'SEV2', body: words }));
        assert.equal(res.statusCode, 303, res.body);
        return String(res.headers.location).split('/')[3]?.split('?')[0] as string;
      };
      const id = await declare('Card payments fail');
      const other = await declare('Search is slow');
      const page = async (cookie: string, incident = id) =>
        (await inject({ method: 'GET', url: `/console/incidents/${incident}`, headers: { cookie } })).body;
      await waitFor(
        async () => (await page(carol)).includes('gave up after 1 attempt'),
        20_000,
        'the refused webhook is dead',
      );

      // The comms lead: per channel, then the failure: masked recipient, error as text, attempts, replay.
      const seen = await page(carol);
      const host = new URL(receiver.url).host;
      assert.match(seen, /Delivered 0 of 1 \(0%\), <strong>1 failing<\/strong>/);
      assert.match(
        seen,
        /<span class="channel">webhook<\/span> <progress max="1" value="0" aria-label="webhook: 0 of 1 delivered"><\/progress>\n0 of 1, <strong>1 failing<\/strong>/,
      );
      assert.match(
        seen,
        new RegExp(
          `<strong>${host.replaceAll('.', '\\.')}</strong> <span class="muted">\\(webhook\\)</span>: gave up after 1 attempt`,
        ),
      );
      assert.doesNotMatch(seen, new RegExp(`${receiver.url}/hook`), 'the full URL is not shown');
      assert.match(seen, /<q class="error-text">[^<]*400[^<]*&lt;hook&gt;[^<]*<\/q>/);
      const action = seen.match(/action="(\/console\/incidents\/[^/]+\/deliveries\/([^/]+)\/replay)"/);
      assert.ok(action?.[1] && action[2], 'a replay button for the dead delivery');
      const [, replayUrl, deliveryId] = action;

      // The incident lead sees the failure, not the provider's words (they can quote a contact).
      const leadSees = await page(lead);
      assert.match(leadSees, /gave up after 1 attempt/);
      assert.doesNotMatch(leadSees, /error-text/);
      // The viewer: no button; asking anyway is refused. From another incident's page: not found.
      assert.doesNotMatch(await page(viewer), /deliveries\/[^/]+\/replay/);
      assert.equal((await inject(form(viewer, replayUrl))).statusCode, 403);
      const foreign = await inject(
        form(carol, `/console/incidents/${other}/deliveries/${deliveryId}/replay`),
      );
      assert.equal(foreign.statusCode, 404, foreign.body);
      assert.equal(
        (await inject(form(carol, `/console/incidents/${id}/deliveries/nope/replay`))).statusCode,
        404,
      );
      const update = seen.match(/id="u-([^"]+)"/)?.[1];
      const still = (await api('GET', `/api/v1/deliveries?subject_id=${update}`)) as unknown as {
        state: string;
      }[];
      assert.deepEqual(
        still.map((d) => d.state),
        ['dead'],
        'refusals changed nothing',
      );

      // Replayed: the receiver takes it now, and the war room shows it delivered.
      refuse = false;
      const replayed = await inject(form(carol, replayUrl));
      assert.equal(replayed.statusCode, 303, replayed.body);
      assert.match(String(replayed.headers.location), /done=replayed_one$/);
      await waitFor(
        async () => (await page(carol)).includes('Delivered 1 of 1 (100%)'),
        20_000,
        'the replayed delivery is sent',
      );
      assert.doesNotMatch(await page(carol), /<h4>Failures/);
      const again = await inject(form(carol, replayUrl));
      assert.equal(again.statusCode, 409, 'only a dead delivery is replayed');
    } finally {
      await worker.stop();
      await receiver.close();
      await t.close();
    }
  });
}
