/**
 * The tables of alerts coming in (src/ingest/, src/services/ingest/): ingest
 * keys, alerts, the payloads received, and the runbook runs alerts start
 * (src/services/runbooks/). Part of the one schema in schema.ts.
 */
import type { AlertStatus, IngestSource } from '../domain/alerts.ts';

export interface IngestKeyTable {
  id: string;
  source: IngestSource;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  hash: string;
  /** `sha256:` and the start of the hash, to recognise a key in lists (never part of the secret). */
  prefix: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AlertTable {
  id: string;
  source: IngestSource;
  fingerprint: string;
  status: AlertStatus;
  title: string;
  severity: string | null;
  /** JSON: string to string. */
  labels: string;
  /** JSON: string to string. */
  annotations: string;
  link: string | null;
  starts_at: string | null;
  ends_at: string | null;
  /** The key the latest delivery came with. */
  key_id: string;
  first_received_at: string;
  last_received_at: string;
  received_count: number;
}

type IngestOutcome = 'accepted' | 'rejected';

export interface IngestPayloadTable {
  id: string;
  key_id: string;
  source: IngestSource;
  received_at: string;
  outcome: IngestOutcome;
  /** Why it was refused (for `rejected`). */
  error: string | null;
  alert_count: number;
  content_type: string | null;
  /** The body as received, cut to a bounded length (src/services/ingest/receive.ts). */
  body: string;
  /** The body's full length, so a cut one says so. */
  body_bytes: number;
}

type RunbookRunState = 'open' | 'resolved';

export interface RunbookRunTable {
  id: string;
  /** The runbook's name in the plan (`runbook-1` when it has none). */
  runbook: string;
  /** JSON: the values of the runbook's `group_by` labels, in order. */
  group_key: string;
  state: RunbookRunState;
  /** The incident the run declared; null until its declare step ran. */
  incident_id: string | null;
  started_at: string;
  resolved_at: string | null;
}

export interface RunbookRunAlertTable {
  run_id: string;
  alert_id: string;
}
