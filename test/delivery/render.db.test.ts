import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Renderer } from '../../src/delivery/render.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { deliveryServices } from '../../src/worker.ts';
import { eachDialect, testCtx } from '../helpers/db.ts';

eachDialect(
  test,
  "a webhook's body, serialized once per subject, is byte for byte each subscriber's event",
  async (db) => {
    const ctx = testCtx(db);
    const api = await createComponent(ctx, { name: 'API' });
    const incident = await declareIncident(ctx, {
      name: 'API "errors" </script>',
      body: 'Requests fail.\nUnicode: ü 🚨',
      components: { [api.id]: 'major_outage' },
    });
    const updateId = incident.incident_updates[0]?.id ?? '';
    const m = await scheduleMaintenance(ctx, {
      name: 'Network upgrade',
      scheduled_for: new Date(Date.now() + 4 * 3_600_000).toISOString(),
      scheduled_until: new Date(Date.now() + 5 * 3_600_000).toISOString(),
    });
    const renderer = new Renderer(deliveryServices(ctx).subjectMessage, 'https://status.example.com');
    const subjects = [
      { type: 'incident_update', id: updateId },
      { type: 'component_update', id: `${updateId}:${api.id}` },
      { type: 'maintenance', id: `${m.id}:scheduled:${m.sequence}` },
    ];
    for (const subject of subjects) {
      const bodies: string[] = [];
      for (const token of ['first-subscriber-token', 'second"token\\']) {
        const message = await renderer.render({
          deliveryId: `d-${token}`,
          subjectType: subject.type,
          subjectId: subject.id,
          token,
          confirmToken: null,
          secret: null,
          channelKind: 'webhook',
        });
        assert.equal(message.eventJson, JSON.stringify(message.event), subject.type);
        const parsed = JSON.parse(message.eventJson ?? '') as { meta: { unsubscribe: string } };
        assert.equal(parsed.meta.unsubscribe, `https://status.example.com/unsubscribe/${token}`);
        bodies.push(message.eventJson ?? '');
      }
      // The same event for both, each with its own link.
      assert.notEqual(bodies[0], bodies[1]);
      const [a, b] = bodies.map((x) => {
        const { meta: _meta, ...rest } = JSON.parse(x) as Record<string, unknown>;
        return rest;
      });
      assert.deepEqual(a, b);
    }
  },
);

eachDialect(
  test,
  "a subscriber's email carries its feedback link; a webhook, whose event has no place for it, is not signed one",
  async (db) => {
    const ctx = testCtx(db);
    const incident = await declareIncident(ctx, { name: 'API errors', body: 'Requests fail.' });
    const updateId = incident.incident_updates[0]?.id ?? '';
    const services = deliveryServices(ctx);
    const signed: string[] = [];
    const renderer = new Renderer(services.subjectMessage, 'https://status.example.com', {
      feedbackCodes: async (update, subscriber) => {
        signed.push(subscriber);
        return services.feedbackCode(update, subscriber);
      },
    });
    const target = (channelKind: 'email' | 'webhook', subscriberId: string) => ({
      deliveryId: `d-${subscriberId}`,
      subjectType: 'incident_update',
      subjectId: updateId,
      token: `token-${subscriberId}`,
      subscriberId,
      confirmToken: null,
      secret: null,
      channelKind,
    });
    const email = await renderer.render(target('email', 'reader'));
    const code = await services.feedbackCode(updateId, 'reader');
    assert.equal(email.feedbackUrl, `https://status.example.com/f/${code}`);
    const hook = await renderer.render(target('webhook', 'receiver'));
    assert.equal(hook.feedbackUrl, undefined);
    assert.ok(hook.eventJson?.includes('token-receiver'));
    assert.deepEqual(signed, ['reader']);
  },
);
