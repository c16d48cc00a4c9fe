/**
 * A status page as another product holds it, in one neutral shape: what
 * `crier import statuspage` and `crier import cachet` read from their
 * sources (src/ingest/moving-in/) and what the import writes. Ids are the
 * source's own, and every reference between records uses them.
 */
import type { ComponentStatus, Impact } from '../../domain/components.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import type { MaintenanceStatus } from '../../domain/maintenances.ts';

interface SourceGroup {
  id: string;
  name: string;
  description: string | null;
  position: number;
}

export interface SourceComponent {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  group_id: string | null;
  position: number;
  showcase: boolean;
  only_show_if_degraded: boolean;
  start_date: string | null;
  created_at: string;
  updated_at: string;
}

interface SourceAffectedComponent {
  /** The source's component id. */
  code: string;
  name: string;
  old_status: string;
  new_status: string;
}

export interface SourceIncidentUpdate {
  id: string;
  status: IncidentStatus;
  body: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  deliver_notifications: boolean;
  affected_components: SourceAffectedComponent[];
}

export interface SourceIncident {
  id: string;
  name: string;
  status: IncidentStatus;
  impact: Impact;
  impact_override: Impact | null;
  created_at: string;
  updated_at: string;
  started_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  component_ids: string[];
  /** Oldest first. */
  updates: SourceIncidentUpdate[];
}

export interface SourceMaintenance {
  id: string;
  name: string;
  status: MaintenanceStatus;
  impact: Impact | 'maintenance';
  scheduled_for: string;
  scheduled_until: string;
  auto_start: boolean;
  auto_complete: boolean;
  started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  component_ids: string[];
  /** Oldest first. */
  updates: { id: string; status: MaintenanceStatus; body: string; created_at: string }[];
}

/** A confirmed subscriber; the contact as the source wrote it (Crier checks and normalises it). */
export interface SourceSubscriber {
  id: string;
  contact: { email: string } | { phone: string; country: string | null } | { webhook: string };
  /** The components chosen; empty for all of them. */
  component_ids: string[];
}

export interface SourcePage {
  /** `statuspage:<page id>` or `cachet:<base URL>`: what the import remembers ids under. */
  source: string;
  /** Whether the source's ids may become Crier's own (Statuspage's are of Crier's shape), so links and widgets keep them. */
  keepIds: boolean;
  groups: SourceGroup[];
  components: SourceComponent[];
  incidents: SourceIncident[];
  maintenances: SourceMaintenance[];
  subscribers: SourceSubscriber[];
  /** What the source holds that Crier does not take, counted by reason (Slack subscribers, unconfirmed ones...). */
  left: Record<string, number>;
}
