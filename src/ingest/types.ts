/** What every source's parser receives and answers (src/ingest/parsers.ts maps each source to one). */
import type { Alert } from '../domain/alerts.ts';
import type { GenericMapping } from '../plan/schema.ts';
import type { GrafanaSigning } from './grafana-signature.ts';
import type { SnsVerifier } from './sns-verify.ts';

export interface IngestRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received: signatures are computed over these bytes. */
  readonly body: Buffer;
}

/** What parsers need beyond the request: secrets and settings from the configuration and the plan. */
export interface ParserDeps {
  /** PagerDuty v3 webhook subscriptions' signing secrets (CRIER_INGEST_PAGERDUTY_SECRETS). */
  readonly pagerdutySecrets: readonly string[];
  /** Grafana contact points' HMAC secrets (CRIER_INGEST_GRAFANA_SECRETS) and the clock for their timestamps. */
  readonly grafana: GrafanaSigning;
  /** The plan's `ingest.generic` mapping, when it has one. */
  genericMapping(): Promise<GenericMapping | undefined>;
  readonly sns: SnsVerifier;
}

type ParseOutcome =
  /** Alerts to store (possibly none: a ping, an event that is not about an alert). */
  | { kind: 'alerts'; alerts: Alert[] }
  /** Handled without alerts, with a word on what was done (an SNS subscription confirmed). */
  | { kind: 'handled'; note: string };

export type IngestParser = (request: IngestRequest, deps: ParserDeps) => Promise<ParseOutcome>;

export function header(request: IngestRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
