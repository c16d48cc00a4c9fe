/**
 * The tables of alerts coming in (src/ingest/, src/services/ingest/): ingest
 * keys, alerts, the payloads received, and the runbook runs alerts start
 * (src/services/runbooks/), and the chat rooms incidents get
 * (src/services/chat/). Part of the one schema in schema.ts.
 */
import type { Generated, Selectable } from 'kysely';
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
  /** Grafana only: `env:NAME`, the variable holding this key's HMAC secret (never the secret itself). */
  hmac_secret: string | null;
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
  /** When it last turned firing or resolved (a runbook's `for:` wait runs from it); null before 0017. */
  status_changed_at: string | null;
}

type IngestOutcome = 'accepted' | 'rejected';

interface IngestPayloadTable {
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

interface RunbookRunTable {
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
  /** 0, and one more each time an alert reopened the run's resolved incident. */
  round: Generated<number>;
}

interface RunbookRunAlertTable {
  run_id: string;
  alert_id: string;
}

/** `pending` until it ran; `done`, `skipped` (nothing to do: no incident, or already so) or `failed` (refused; the run goes on). */
type RunbookStepState = 'pending' | 'done' | 'skipped' | 'failed';

export interface RunbookRunStepTable {
  run_id: string;
  /** The run's round the step belongs to (runbook_runs.round when it was written). */
  round: number;
  phase: 'do' | 'on_resolve';
  /** Its place in the runbook's list, from 0. */
  position: number;
  /** The step's kind: declare, assign_roles, notify, ... */
  kind: string;
  /** JSON: the step's settings as the plan gave them when the run started. */
  spec: string;
  state: RunbookStepState;
  /** Times it was tried and failed in a way worth retrying. */
  attempts: number;
  /** What it did, in a line (`declared 01J…`, `paged carol@acme.example by email, sms`). */
  outcome: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A row Crier created when moving in from another status page (`crier import`), by the source's own id. */
interface ImportedTable {
  /** `statuspage:<page id>` or `cachet:<base URL>`. */
  source: string;
  /** component_group | component | incident | maintenance | subscriber */
  kind: string;
  source_id: string;
  crier_id: string;
  imported_at: string;
}

type ChatRoomState = 'opening' | 'open' | 'archived';

/** A chat room the plan's bot keeps for one incident (src/services/chat/). */
interface ChatRoomTable {
  id: string;
  incident_id: string;
  /** The plan channel whose bot keeps it. */
  channel: string;
  /** The room's name, from the date and the incident. */
  name: string;
  state: ChatRoomState;
  /** The provider's id of the room; null until it is created. */
  room_id: string | null;
  /** The topic last set. */
  topic: string | null;
  /** JSON: the email addresses already invited. */
  invited: string;
  /** The last audit entry of the incident posted in the room. */
  audit_cursor: number;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  opened_at: string | null;
  archived_at: string | null;
}

export type ChatRoomRow = Selectable<ChatRoomTable>;

/** The tables above, as the database (schema.ts) holds them. */
export interface IngestTables {
  ingest_keys: IngestKeyTable;
  alerts: AlertTable;
  ingest_payloads: IngestPayloadTable;
  runbook_runs: RunbookRunTable;
  runbook_run_alerts: RunbookRunAlertTable;
  runbook_run_steps: RunbookRunStepTable;
  imported: ImportedTable;
  chat_rooms: ChatRoomTable;
}
