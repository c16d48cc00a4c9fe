/**
 * An update's row as the lifecycle verbs read and write it: finding and
 * locking one, a new one, and the JSON it carries until publication (what
 * publishing will change, and the text variants per channel kind).
 */
import { z } from 'zod';
import type { ComponentStatus, Impact } from '../../domain/components.ts';
import { CrierError } from '../../domain/errors.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import { pageLanguages } from '../../domain/languages.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import { type PendingChanges, renderedOf } from '../../store/json.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { lockIncident } from '../incidents/queries.ts';
import { IncidentUpdateView } from '../views.ts';

/** Text variants an update may carry beside its body, per channel kind. */
export const Variants = z
  .strictObject({
    sms: z.string().trim().min(1).max(2000),
    voice: z.string().trim().min(1).max(2000),
    chat: z.string().trim().min(1).max(40_000),
    social: z.string().trim().min(1).max(5000),
    email_subject: z.string().trim().min(1).max(998),
  })
  .partial();
export type Variants = z.infer<typeof Variants>;

/** An update's words in other languages than the page's, keyed by language: each its body and variants. */
export const Translations = z
  .partialRecord(
    z.enum(pageLanguages),
    z.strictObject({
      body: z.string().trim().min(1).max(20_000),
      variants: Variants.default({}),
    }),
  )
  .describe(
    "The words in each other language the plan declares; a subscriber of another falls back to the page's.",
  );
export type Translations = z.infer<typeof Translations>;

/** The column's text for `translations`: null when there is none. */
export function translationsColumn(t: Translations | undefined): string | null {
  return t && Object.keys(t).length > 0 ? JSON.stringify(t) : null;
}

export function variantsOf(row: { readonly rendered: string | null }): Variants {
  return renderedOf(row);
}

export async function requireUpdate(
  db: Db,
  incidentId: string,
  updateId: string,
): Promise<IncidentUpdateRow> {
  const row = await db
    .selectFrom('incident_updates')
    .selectAll()
    .where('id', '=', updateId)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!row) {
    throw new CrierError('update_not_found', `Incident ${incidentId} has no update ${updateId}.`, {
      incident_id: incidentId,
      update_id: updateId,
    });
  }
  return row;
}

/** The incident locked for the rest of the transaction, and one of its updates. */
export async function lockUpdate(tx: Ctx, incidentId: string, updateId: string) {
  const incident = await lockIncident(tx.db, incidentId);
  const row = await requireUpdate(tx.db, incidentId, updateId);
  return { incident, row };
}

export interface NewUpdate {
  status: IncidentStatus;
  body: string;
  audience: string;
  deliverNotifications: boolean;
  components: Record<string, ComponentStatus>;
  componentIds: readonly string[];
  impactOverride?: Impact | null;
  eta?: string | null;
  variants?: Variants;
  translations?: Translations;
}

/** A draft row by the acting person, not yet written. */
export function newUpdateRow(tx: Ctx, incident: IncidentRow, input: NewUpdate): IncidentUpdateRow {
  const now = tx.clock.now().toISOString();
  const pending: PendingChanges = {
    components: input.components,
    component_ids: [...input.componentIds],
    ...(input.impactOverride !== undefined && { impact_override: input.impactOverride }),
    ...(input.eta !== undefined && { eta: input.eta }),
  };
  return {
    id: newId(),
    incident_id: incident.id,
    status: input.status,
    body: input.body,
    state: 'draft',
    audience: input.audience,
    deliver_notifications: input.deliverNotifications ? 1 : 0,
    affected_components: '[]',
    created_by: tx.actor.id,
    created_at: now,
    updated_at: now,
    published_at: null,
    display_at: now,
    round: 0,
    submitted_at: null,
    pending: JSON.stringify(pending),
    lint: null,
    lint_override: null,
    published_unapproved: 0,
    rendered:
      input.variants && Object.keys(input.variants).length > 0 ? JSON.stringify(input.variants) : null,
    next_update_at: null,
    translations: translationsColumn(input.translations),
  };
}

export const UpdateEditView = z
  .object({
    id: z.number(),
    update_id: z.string(),
    old_body: z.string(),
    new_body: z.string(),
    actor: z.string(),
    at: z.string(),
  })
  .meta({ id: 'UpdateEdit' });
export type UpdateEditView = z.infer<typeof UpdateEditView>;

/** A published update with the corrections made to its text, oldest first. */
export const UpdateWithEditsView = IncidentUpdateView.extend({ edits: z.array(UpdateEditView) }).meta({
  id: 'IncidentUpdateWithEdits',
});

/** Every field of an edit's view is one of its columns, as stored. */
const editColumns = UpdateEditView.keyof().options;

export async function listUpdateEdits(db: Db, updateId: string): Promise<UpdateEditView[]> {
  return db
    .selectFrom('update_edits')
    .select(editColumns)
    .where('update_id', '=', updateId)
    .orderBy('id')
    .execute();
}
