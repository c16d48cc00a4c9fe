/**
 * PagerDuty webhooks v3: one event per request, signed in
 * `X-PagerDuty-Signature` (`v1=<hex HMAC-SHA256 of the raw body>`, one per
 * signing secret, comma-separated during a rotation). Incident events become
 * alerts keyed by the PagerDuty incident: `incident.resolved` resolves it,
 * the others (triggered, reopened, acknowledged, escalated...) keep it
 * firing. Other events (services, pings) are accepted and store no alert.
 * https://developer.pagerduty.com/docs/webhooks/v3-overview/
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type Alert, instantOrNull } from '../domain/alerts.ts';
import { CrierError } from '../domain/errors.ts';
import { linkOrNull, parseJsonBody, parseValue } from './json.ts';
import { header, type IngestParser, type IngestRequest } from './types.ts';

const Reference = z.object({ summary: z.string().max(1000).optional() }).nullish();

const Event = z.object({
  event: z.object({
    id: z.string().max(200),
    event_type: z.string().min(1).max(200),
    resource_type: z.string().max(200),
    occurred_at: z.string().max(64),
    data: z.unknown(),
  }),
});

const Incident = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('incident'),
  html_url: z.string().max(4000).optional(),
  number: z.number().int().optional(),
  status: z.string().max(100).optional(),
  incident_key: z.string().max(1000).nullish(),
  created_at: z.string().max(64).optional(),
  title: z.string().max(10_000),
  service: Reference,
  priority: Reference,
  urgency: z.string().max(100).optional(),
});

/** True when one of the `v1=` signatures is the body's HMAC under one of the secrets. */
function pagerdutySignatureValid(request: IngestRequest, secrets: readonly string[]): boolean {
  const given = (header(request, 'x-pagerduty-signature') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => Buffer.from(s.slice(3), 'utf8'));
  if (given.length === 0) return false;
  return secrets.some((secret) => {
    const expected = Buffer.from(createHmac('sha256', secret).update(request.body).digest('hex'), 'utf8');
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}

export const parsePagerduty: IngestParser = async (request, deps) => {
  if (deps.pagerdutySecrets.length === 0) {
    throw new CrierError(
      'signature_invalid',
      'No PagerDuty signing secret is configured (CRIER_INGEST_PAGERDUTY_SECRETS), so no request can be verified.',
    );
  }
  if (!pagerdutySignatureValid(request, deps.pagerdutySecrets)) {
    throw new CrierError(
      'signature_invalid',
      'The X-PagerDuty-Signature header is missing or does not match.',
    );
  }
  const { event } = parseJsonBody(request.body, Event, 'a PagerDuty v3 webhook event');
  if (event.resource_type !== 'incident' || !event.event_type.startsWith('incident.')) {
    return { kind: 'alerts', alerts: [] };
  }
  // Notes, responders and status updates carry an incident reference, not the incident: nothing changes.
  const data = event.data as { type?: unknown } | null;
  if (data === null || typeof data !== 'object' || data.type !== 'incident')
    return { kind: 'alerts', alerts: [] };
  const incident = parseValue(data, Incident, 'a PagerDuty incident (event.data)');
  const resolved = event.event_type === 'incident.resolved';
  const alert: Alert = {
    source: 'pagerduty',
    fingerprint: incident.id,
    status: resolved ? 'resolved' : 'firing',
    title: incident.title,
    severity: incident.priority?.summary ?? incident.urgency ?? null,
    labels: {
      ...(incident.service?.summary !== undefined && { service: incident.service.summary }),
      ...(incident.urgency !== undefined && { urgency: incident.urgency }),
      ...(incident.priority?.summary !== undefined && { priority: incident.priority.summary }),
      ...(incident.status !== undefined && { status: incident.status }),
    },
    annotations: {
      event_type: event.event_type,
      ...(incident.number !== undefined && { number: String(incident.number) }),
      ...(incident.incident_key && { incident_key: incident.incident_key }),
    },
    startsAt: instantOrNull(incident.created_at),
    endsAt: resolved ? instantOrNull(event.occurred_at) : null,
    link: linkOrNull(incident.html_url),
  };
  return { kind: 'alerts', alerts: [alert] };
};
