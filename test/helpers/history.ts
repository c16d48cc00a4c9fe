/**
 * A seeded history: incidents written as the running service leaves them
 * (the incident's instants, its updates, approvals, each audience's cadence
 * count, deliveries, unsubscribes), so the review and the trends can be
 * checked against figures a test works out by hand.
 */

import type { Db } from '../../src/store/db.ts';
import { newId } from '../../src/store/ids.ts';
import type { DeliveryState } from '../../src/store/schema.ts';

/** `base` moved by `minutes` (fractions allowed), as ISO text. */
export function at(base: string, minutes: number): string {
  return new Date(Date.parse(base) + Math.round(minutes * 60_000)).toISOString();
}

export interface SeedUpdate {
  audience: string;
  status?: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  body?: string;
  created_by?: string;
  published_at: string | null;
  next_update_at?: string | null;
  submitted_at?: string | null;
  /** Approvals of the update's round: who, when. */
  approvals?: { actor: string; at: string }[];
  published_unapproved?: boolean;
  lint_override?: boolean;
  /** Deliveries of this update: kind, state, seconds after publication it was sent, and the carrier. */
  deliveries?: { channel: string; state: DeliveryState; after_s?: number; via?: string }[];
}

export interface SeedIncident {
  name?: string;
  severity: string;
  scenario?: string | null;
  /** A drill's speed; 0 (the default) for a real incident. */
  drill_speed?: number;
  detected_at?: string | null;
  declared_at: string;
  resolved_at?: string | null;
  plan_version?: number | null;
  updates: SeedUpdate[];
  /** Each external audience's cadence count. */
  cadence?: { audience: string; due: number; on_time: number }[];
}

export async function seedIncident(db: Db, s: SeedIncident): Promise<string> {
  const id = newId();
  const published = s.updates.filter((u) => u.published_at !== null);
  const first = (internal: boolean) =>
    published
      .filter((u) => (u.audience === 'internal') === internal)
      .map((u) => u.published_at ?? '')
      .sort()[0] ?? null;
  const last = s.updates.at(-1);
  await db
    .insertInto('incidents')
    .values({
      id,
      name: s.name ?? 'Seeded incident',
      status: s.resolved_at ? 'resolved' : (last?.status ?? 'investigating'),
      impact: 'major',
      impact_override: null,
      severity: s.severity,
      scenario: s.scenario ?? null,
      drill: (s.drill_speed ?? 0) > 0 ? 1 : 0,
      started_at: s.detected_at ?? s.declared_at,
      detected_at: s.detected_at ?? null,
      declared_at: s.declared_at,
      first_internal_at: first(true),
      first_external_at: first(false),
      identified_at: null,
      monitoring_at: null,
      resolved_at: s.resolved_at ?? null,
      eta: null,
      next_update_due_at: null,
      created_by: 'token:seed',
      created_at: s.declared_at,
      updated_at: s.declared_at,
      next_internal_update_due_at: null,
      cadence_due: 0,
      cadence_on_time: 0,
      drill_speed: Math.max(s.drill_speed ?? 1, 1),
      plan_version: s.plan_version ?? null,
      audience: null,
    })
    .execute();
  for (const [n, u] of s.updates.entries()) {
    const uid = newId();
    const created = u.submitted_at ?? u.published_at ?? s.declared_at;
    await db
      .insertInto('incident_updates')
      .values({
        id: uid,
        incident_id: id,
        status: u.status ?? 'investigating',
        body: u.body ?? `Update ${n + 1}.`,
        state: u.published_at === null ? 'pending_approval' : 'published',
        audience: u.audience,
        deliver_notifications: 1,
        affected_components: '[]',
        created_by: u.created_by ?? 'token:carol@acme.example',
        created_at: created,
        updated_at: u.published_at ?? created,
        published_at: u.published_at,
        display_at: u.published_at ?? created,
        round: u.submitted_at ? 1 : 0,
        submitted_at: u.submitted_at ?? null,
        pending: null,
        lint: null,
        lint_override: u.lint_override
          ? JSON.stringify({ reason: 'the customer named it', by: 'token:carol@acme.example', at: created })
          : null,
        published_unapproved: u.published_unapproved ? 1 : 0,
        rendered: null,
        next_update_at: u.next_update_at ?? null,
      })
      .execute();
    for (const a of u.approvals ?? []) {
      await db
        .insertInto('update_decisions')
        .values({
          update_id: uid,
          round: 1,
          actor: a.actor,
          as_role: 'comms_lead',
          decision: 'approve',
          comment: null,
          at: a.at,
          why: null,
          reason: null,
        })
        .execute();
    }
    for (const d of u.deliveries ?? []) {
      const sent = d.after_s !== undefined && u.published_at !== null;
      const sentAt = sent
        ? new Date(Date.parse(u.published_at ?? '') + (d.after_s ?? 0) * 1000).toISOString()
        : null;
      await db
        .insertInto('deliveries')
        .values({
          id: newId(),
          subject_type: 'incident_update',
          subject_id: uid,
          incident_id: id,
          subscriber_id: newId(),
          channel: d.channel,
          via: d.via ?? d.channel,
          state: d.state,
          attempts: 1,
          next_attempt_at: u.published_at ?? created,
          lease_until: null,
          provider_id: null,
          last_error: d.state === 'dead' ? 'mailbox full' : null,
          created_at: u.published_at ?? created,
          updated_at: sentAt ?? u.published_at ?? created,
          sent_at: d.state === 'sent' ? sentAt : null,
        })
        .execute();
    }
  }
  for (const c of s.cadence ?? []) {
    await db
      .insertInto('incident_deadlines')
      .values({
        incident_id: id,
        audience: c.audience,
        due_at: null,
        updates_due: c.due,
        updates_on_time: c.on_time,
      })
      .execute();
  }
  return id;
}

/** An unsubscribe as the public pages record it: the subscriber's state and the audit entry. */
export async function seedUnsubscribe(db: Db, when: string, how = 'link'): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: when,
      actor: 'public',
      action: 'subscriber.unsubscribe',
      subject_type: 'subscriber',
      subject_id: newId(),
      before: JSON.stringify({ state: 'confirmed' }),
      after: JSON.stringify({ state: 'unsubscribed', how }),
      request_id: null,
      source: null,
    })
    .execute();
}
