/**
 * Grafana Alerting's webhook contact point: Alertmanager's grouped shape
 * (alertmanager.ts) with Grafana's `orgId`, `title`, `state`, `message` and
 * per-alert dashboard and panel links, which become the link back; signed
 * when the contact point has an HMAC secret (grafana-signature.ts).
 * https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 */
import { z } from 'zod';
import { AlertGroup, groupAlerts } from './alertmanager.ts';
import { verifyGrafana } from './grafana-signature.ts';
import { parseJsonBody } from './json.ts';
import type { IngestParser } from './types.ts';

const GrafanaGroup = AlertGroup.extend({
  orgId: z.number().int().optional(),
  title: z.string().max(10_000).optional(),
  state: z.string().max(100).optional(),
  message: z.string().max(100_000).optional(),
});

export const parseGrafana: IngestParser = async (request, deps) => {
  verifyGrafana(request, deps.grafana);
  const group = parseJsonBody(request.body, GrafanaGroup, 'a Grafana Alerting webhook payload');
  return { kind: 'alerts', alerts: groupAlerts('grafana', group) };
};
