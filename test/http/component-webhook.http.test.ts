/**
 * Statuspage's component webhook says how the whole page stands: its
 * `page.status_indicator` and `page.status_description` are what
 * `/api/v2/status.json` answers at that moment, not a guess from the one
 * component that moved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { resolveIncident } from '../../src/services/incidents/resolve.ts';
import { addSubscriber } from '../../src/services/subscribers/subscribe.ts';
import { deliveryServices } from '../../src/worker.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

interface ComponentEvent {
  page: { status_indicator: string; status_description: string };
  component_update: { component_id: string; new_status: string };
}

for (const dialect of dialects) {
  test(`a component event carries status.json's indicator and description [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_ALLOW_PRIVATE_NETWORK: 'true' } });
    const receiver = await startReceiver();
    const ctx = t.app.systemCtx;
    const worker = new Worker(
      ctx,
      deliveryServices(ctx),
      buildChannelSet({}, { allowPrivateNetwork: true, userAgent: 'test' }),
      new DeliveryMetrics(),
      { pollMs: 50, leaseMs: 5_000 },
    );
    worker.start();
    const events = () =>
      receiver.requests
        .map((r) => JSON.parse(r.body) as Partial<ComponentEvent>)
        .filter((e): e is ComponentEvent => e.component_update !== undefined);
    const statusJson = async () => {
      await t.app.statusPage.refresh();
      const res = await t.app.server.inject({ method: 'GET', url: '/api/v2/status.json' });
      return (JSON.parse(res.body) as { status: { indicator: string; description: string } }).status;
    };
    try {
      const api = await createComponent(ctx, { name: 'API' });
      await createComponent(ctx, { name: 'Dashboard' });
      await addSubscriber(ctx, { webhook: `${receiver.url}/hook` }, new Set(['webhook']));
      const incident = await declareIncident(ctx, {
        name: 'API errors',
        body: 'Some API calls fail.',
        components: { [api.id]: 'partial_outage' },
      });
      await waitFor(() => events().length >= 1, 10_000, 'the component event');
      const [moved] = events();
      assert.equal(moved?.component_update.new_status, 'partial_outage');
      const during = await statusJson();
      assert.deepEqual(
        { indicator: moved?.page.status_indicator, description: moved?.page.status_description },
        during,
        'the page as status.json shows it',
      );
      assert.notEqual(during.indicator, 'none');

      await resolveIncident(ctx, incident.id, { body: 'API calls work again for everyone.' });
      await waitFor(() => events().length >= 2, 10_000, 'the component event of the resolution');
      const restored = events()[1];
      assert.equal(restored?.component_update.new_status, 'operational');
      assert.deepEqual(
        { indicator: restored?.page.status_indicator, description: restored?.page.status_description },
        await statusJson(),
      );
      assert.equal(restored?.page.status_description, 'All Systems Operational');
    } finally {
      await worker.stop();
      await receiver.close();
      await t.close();
    }
  });
}
