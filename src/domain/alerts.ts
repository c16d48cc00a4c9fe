/**
 * Alerts from monitoring systems, in one shape whatever sent them
 * (src/ingest/ parses each source's payload into it). Pure types and rules.
 */

/** The sources `POST /ingest/:source/:key` accepts, each with its own parser. */
export const ingestSources = ['alertmanager', 'grafana', 'cloudwatch', 'pagerduty', 'generic'] as const;
export type IngestSource = (typeof ingestSources)[number];

export const alertStatuses = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** One alert as a source reported it. */
export interface Alert {
  source: IngestSource;
  /** The same for every delivery of the same alert from one source: repeats are recognised by it. */
  fingerprint: string;
  status: AlertStatus;
  title: string;
  /** `critical`, `warning`, ... as the source labelled it; null when it says nothing. */
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO 8601; null when the source does not say. */
  startsAt: string | null;
  endsAt: string | null;
  /** A link back to the alert in the source (its dashboard, rule or incident page). */
  link: string | null;
}

/** The label a game day's alerts carry (src/services/drills/): the runbooks leave them alone. */
export const gameDayLabel = 'crier_game_day';

export function isIngestSource(value: string): value is IngestSource {
  return (ingestSources as readonly string[]).includes(value);
}

/** An instant a source wrote, as ISO 8601, or null for none (Alertmanager's zero time, an unreadable one). */
export function instantOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = Date.parse(value);
  // Go's zero time (0001-01-01T00:00:00Z) is how Alertmanager says "not yet".
  if (Number.isNaN(ms) || ms <= 0) return null;
  return new Date(ms).toISOString();
}
