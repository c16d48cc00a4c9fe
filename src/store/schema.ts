/**
 * The database as Kysely sees it. One schema for SQLite and PostgreSQL:
 * instants are ISO 8601 text in UTC, flags are 0/1 integers and structured
 * values are JSON text, so both dialects store and return the same values.
 */
import type { Generated, Selectable } from 'kysely';
import type { SubscriberKind } from '../channels/types.ts';
import type { Decision } from '../domain/approval.ts';
import type { ApprovalBasis } from '../domain/approval-eligibility.ts';
import type { ComponentStatus, Impact } from '../domain/components.ts';
import type { IncidentStatus } from '../domain/incidents.ts';
import type { MaintenanceStatus } from '../domain/maintenances.ts';
import type { IncidentRole } from '../domain/roles.ts';
import type { UpdateState } from '../domain/updates.ts';
import type { PracticeTables } from './schema-feedback.ts';
import type { AlertTable, IngestKeyTable, IngestTables } from './schema-ingest.ts';
import type { ApiTokenTable, SessionTable, SignInFailureTable, UserTable } from './schema-people.ts';
import type { SentimentTables } from './schema-sentiment.ts';
import type { SocialTables } from './schema-social.ts';
import type { SuppressionTable } from './schema-suppressions.ts';

/** Where a subscriber stands: waiting for confirmation, hearing, gone by choice, or turned off by a failure. */
export const subscriberStates = ['pending', 'confirmed', 'unsubscribed', 'disabled'] as const;
type SubscriberState = (typeof subscriberStates)[number];

/** A delivery's life: to send, in flight, sent, failed (will retry), dead (gave up). */
export const deliveryStates = ['pending', 'sending', 'sent', 'failed', 'dead'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** An outbox job's life; `cancelled` when a timer was disarmed before it ran. */
type JobState = 'pending' | 'running' | 'done' | 'dead' | 'cancelled';

interface ComponentGroupTable {
  id: string;
  name: string;
  description: string | null;
  position: number;
  created_at: string;
  updated_at: string;
}

interface ComponentTable {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  group_id: string | null;
  position: number;
  showcase: number;
  only_show_if_degraded: number;
  start_date: string | null;
  created_at: string;
  updated_at: string;
}

interface ComponentStatusHistoryTable {
  id: Generated<number>;
  component_id: string;
  status: ComponentStatus;
  at: string;
  incident_id: string | null;
  maintenance_id: string | null;
}

interface IncidentTable {
  id: string;
  name: string;
  status: IncidentStatus;
  impact: Impact;
  impact_override: Impact | null;
  severity: string | null;
  scenario: string | null;
  drill: number;
  started_at: string;
  detected_at: string | null;
  declared_at: string;
  first_internal_at: string | null;
  first_external_at: string | null;
  identified_at: string | null;
  monitoring_at: string | null;
  resolved_at: string | null;
  eta: string | null;
  next_update_due_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  next_internal_update_due_at: string | null;
  /** Cadence adherence: external updates that fell due, and those published on time. */
  cadence_due: number;
  cadence_on_time: number;
  /** A drill's speed: every duration of the plan is divided by it (1 for real incidents). */
  drill_speed: number;
  /** The audience a private incident speaks to; null for an incident the public may hear of. */
  audience: string | null;
  /** The plan version in force when it was declared; null before any plan, or before versions were kept. */
  plan_version: number | null;
}

interface IncidentComponentTable {
  incident_id: string;
  component_id: string;
  /** A drill's or a private incident's own status for the component; null when the component itself moves. */
  drill_status: ComponentStatus | null;
}

interface IncidentUpdateTable {
  id: string;
  incident_id: string;
  status: IncidentStatus;
  body: string;
  state: UpdateState;
  audience: string;
  deliver_notifications: number;
  /** JSON: [{ code, name, old_status, new_status }] — the component changes this update made. */
  affected_components: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  display_at: string;
  /** Approval round: bumped on each submission, so decisions on older wording do not count. */
  round: number;
  submitted_at: string | null;
  /** JSON: what publishing will apply — { components, component_ids, impact_override }. */
  pending: string | null;
  /** JSON: the lint problems found at submission or publication. */
  lint: string | null;
  /** JSON: { reason, by, at } when a comms lead published despite lint. */
  lint_override: string | null;
  /** 1 when the plan's approval timeout published it without approval. */
  published_unapproved: number;
  /** JSON: [{ channel, kind, text }] — the text per channel at publication. */
  rendered: string | null;
  /** The deadline this update's publication set for its audience; what `{{ next_update_at }}` became. */
  next_update_at: string | null;
  /** JSON: its words in other languages, { fr: { body, variants } } (store/json.ts). */
  translations: string | null;
}

/** When an incident's next update is due for one audience, and how well that audience's cadence was kept. */
interface IncidentDeadlineTable {
  incident_id: string;
  audience: string;
  due_at: string | null;
  updates_due: number;
  updates_on_time: number;
}

interface UpdateEditTable {
  id: Generated<number>;
  update_id: string;
  old_body: string;
  new_body: string;
  actor: string;
  at: string;
}

interface MaintenanceTable {
  id: string;
  name: string;
  status: MaintenanceStatus;
  /** An incident's impact, or `maintenance` (the default). */
  impact: Impact | 'maintenance';
  body: string;
  scheduled_for: string;
  scheduled_until: string;
  auto_start: number;
  auto_complete: number;
  started_at: string | null;
  completed_at: string | null;
  /** Bumped on every change, for iCalendar SEQUENCE. */
  sequence: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

interface MaintenanceComponentTable {
  maintenance_id: string;
  component_id: string;
}

interface MaintenanceUpdateTable {
  id: string;
  maintenance_id: string;
  status: MaintenanceStatus;
  body: string;
  created_by: string;
  created_at: string;
}

interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  before: string | null;
  after: string | null;
  request_id: string | null;
  source: string | null;
}

interface SettingTable {
  key: string;
  value: string;
}

interface SubscriberTable {
  id: string;
  /** `public`, a named customer audience, or `internal`. */
  audience: string;
  /** email | sms | webhook | slack | teams | discord | push */
  kind: SubscriberKind;
  /** The address, number, URL, or web push subscription as JSON. */
  contact: string;
  /** The contact normalised, unique per audience and kind. */
  contact_key: string;
  state: SubscriberState;
  all_components: number;
  /** JSON array; the rows of subscriber_components are what the fan-out reads. */
  component_ids: string;
  locale: string | null;
  /** Manage-and-unsubscribe token carried by every message. */
  token: string;
  confirm_token: string | null;
  /** Standard Webhooks signing secret (`whsec_...`) for webhook subscribers. */
  secret: string | null;
  source: string;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  confirmed_at: string | null;
  /** Private-page links signed before this instant are revoked. */
  page_links_from: string | null;
}

interface SubscriberComponentTable {
  subscriber_id: string;
  component_id: string;
}

interface OutboxJobTable {
  id: string;
  kind: string;
  /** JSON. */
  payload: string;
  state: JobState;
  /** When the job is due; while running, when its lease ends. */
  run_at: string;
  attempts: number;
  lease_until: string | null;
  locked_by: string | null;
  /** Progress of a long job (a fan-out's last subscriber id). */
  cursor: string | null;
  dedupe_key: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** The W3C traceparent of the span that queued it, so its run joins that trace; null untraced. */
  traceparent: string | null;
}

interface DeliveryTable {
  id: string;
  /** incident_update | maintenance | confirmation */
  subject_type: string;
  subject_id: string;
  incident_id: string | null;
  subscriber_id: string;
  /** The subscriber's kind (email, sms, webhook...); unique with subject and subscriber. */
  channel: string;
  /** The configured channel that last carried it (the fallback, when one took over). */
  via: string | null;
  state: DeliveryState;
  attempts: number;
  /** When it is due; while sending, when its lease ends. */
  next_attempt_at: string;
  lease_until: string | null;
  provider_id: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

interface PlanVersionTable {
  version: Generated<number>;
  applied_at: string;
  applied_by: string;
  /** The YAML as applied. */
  source: string;
  /** JSON: the validated plan. */
  plan: string;
  /** JSON: the changes from the previous version. */
  diff: string;
  /** SHA-256 of `plan`: an apply equal to the version in force is no new version. */
  hash: string;
  /** `file` (the plan file at start) or `api` (`PUT /plan`). */
  applied_via: Generated<PlanVia>;
  /** The plan file that produced this version, or was found at a later start to hold the same plan. */
  file_path: string | null;
  /** SHA-256 of that file's text. */
  file_hash: string | null;
}

export type PlanVia = 'file' | 'api';

interface IncidentRoleTable {
  incident_id: string;
  role: IncidentRole;
  holder: string;
  assigned_at: string;
  assigned_by: string;
}

interface UpdateDecisionTable {
  id: Generated<number>;
  update_id: string;
  round: number;
  actor: string;
  as_role: string | null;
  decision: Decision;
  comment: string | null;
  at: string;
  /** approver, fallback or last_resort (src/domain/approval-eligibility.ts). */
  basis: Generated<ApprovalBasis>;
  why: string | null;
  reason: string | null;
}

/** Deliveries sent, per channel (subscriber kind), counted as outcomes are written. */
interface DeliverySentCountTable {
  channel: string;
  n: number;
}

/** Deliveries removed by retention, counted by subject, channel and state (what reports read). */
interface DeliveryCountTable {
  subject_id: string;
  channel: string;
  state: DeliveryState;
  subject_type: string;
  n: number;
}

/** Every table; those of what comes in from machines, chat and other products are in schema-ingest.ts. */
export interface Database extends IngestTables, PracticeTables, SocialTables, SentimentTables {
  component_groups: ComponentGroupTable;
  components: ComponentTable;
  component_status_history: ComponentStatusHistoryTable;
  incidents: IncidentTable;
  incident_components: IncidentComponentTable;
  incident_updates: IncidentUpdateTable;
  update_edits: UpdateEditTable;
  incident_deadlines: IncidentDeadlineTable;
  maintenances: MaintenanceTable;
  maintenance_components: MaintenanceComponentTable;
  maintenance_updates: MaintenanceUpdateTable;
  api_tokens: ApiTokenTable;
  users: UserTable;
  sessions: SessionTable;
  sign_in_failures: SignInFailureTable;
  audit_log: AuditLogTable;
  settings: SettingTable;
  subscribers: SubscriberTable;
  subscriber_components: SubscriberComponentTable;
  suppressions: SuppressionTable;
  outbox_jobs: OutboxJobTable;
  deliveries: DeliveryTable;
  delivery_sent_counts: DeliverySentCountTable;
  delivery_counts: DeliveryCountTable;
  plan_versions: PlanVersionTable;
  incident_roles: IncidentRoleTable;
  update_decisions: UpdateDecisionTable;
}

export type ComponentRow = Selectable<ComponentTable>;
export type ComponentGroupRow = Selectable<ComponentGroupTable>;
export type ComponentStatusHistoryRow = Selectable<ComponentStatusHistoryTable>;
export type IncidentRow = Selectable<IncidentTable>;
export type IncidentUpdateRow = Selectable<IncidentUpdateTable>;
export type IncidentDeadlineRow = Selectable<IncidentDeadlineTable>;
export type MaintenanceRow = Selectable<MaintenanceTable>;
export type MaintenanceUpdateRow = Selectable<MaintenanceUpdateTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
export type UserRow = Selectable<UserTable>;
export type SubscriberRow = Selectable<SubscriberTable>;
export type SuppressionRow = Selectable<SuppressionTable>;
export type OutboxJobRow = Selectable<OutboxJobTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type PlanVersionRow = Selectable<PlanVersionTable>;
export type IngestKeyRow = Selectable<IngestKeyTable>;
export type AlertRow = Selectable<AlertTable>;
