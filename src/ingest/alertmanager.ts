/**
 * Prometheus Alertmanager's webhook (`webhook_configs`), payload version 4:
 * one notification per alert group (`groupKey`), each alert with its own
 * `fingerprint` and `status`; resolved alerts come only with `send_resolved`
 * (on by default). Grafana Alerting's webhook contact point sends the same
 * shape with a few fields more (grafana.ts).
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
import { z } from 'zod';
import { type Alert, alertStatuses, type IngestSource, instantOrNull } from '../domain/alerts.ts';
import { linkOrNull, parseJsonBody, StringMap } from './json.ts';
import type { IngestParser } from './types.ts';

const GroupedAlert = z.object({
  status: z.enum(alertStatuses),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: z.string().max(64).optional(),
  endsAt: z.string().max(64).optional(),
  generatorURL: z.string().max(4000).optional(),
  fingerprint: z.string().min(1).max(200),
  // Grafana's additions
  dashboardURL: z.string().max(4000).optional(),
  panelURL: z.string().max(4000).optional(),
});

export const AlertGroup = z.object({
  version: z.string().max(10),
  groupKey: z.string().max(10_000),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(alertStatuses),
  receiver: z.string().max(1000),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  commonAnnotations: StringMap.default({}),
  externalURL: z.string().max(4000).optional(),
  alerts: z.array(GroupedAlert).max(10_000),
});
type AlertGroup = z.infer<typeof AlertGroup>;

/** Each alert of a group in the one shape; the title is the summary annotation, or the alert's name. */
export function groupAlerts(source: IngestSource, group: AlertGroup): Alert[] {
  return group.alerts.map((a) => ({
    source,
    fingerprint: a.fingerprint,
    status: a.status,
    title: a.annotations.summary ?? a.labels.alertname ?? a.fingerprint,
    severity: a.labels.severity ?? null,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: instantOrNull(a.startsAt),
    endsAt: instantOrNull(a.endsAt),
    link: linkOrNull(a.dashboardURL, a.panelURL, a.generatorURL, group.externalURL),
  }));
}

export const parseAlertmanager: IngestParser = async (request) => {
  const group = parseJsonBody(
    request.body,
    AlertGroup.refine((g) => g.version === '4', {
      path: ['version'],
      message: 'Alertmanager webhook payload version 4 is the one supported',
    }),
    'an Alertmanager webhook payload (version 4)',
  );
  return { kind: 'alerts', alerts: groupAlerts('alertmanager', group) };
};
