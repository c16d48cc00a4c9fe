/** Field schemas shared by the incident verbs, named as in Statuspage's management API. */
import { z } from 'zod';
import { componentStatuses, impacts } from '../../domain/components.ts';

const id = z.string().min(1).max(64);

export const IncidentFields = {
  name: z.string().trim().min(1).max(255),
  body: z.string().trim().min(1).max(100_000),
  impact_override: z.enum(impacts).nullable(),
  component_ids: z.array(id).max(500),
  /** `{ "<component id>": "<status>" }` — the statuses this update sets. */
  components: z.record(id, z.enum(componentStatuses)).refine((m) => Object.keys(m).length <= 500, {
    message: 'at most 500 components',
  }),
  deliver_notifications: z.boolean(),
  audience: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'an audience name: lowercase letters, digits, - and _')
    .default('public'),
  instant: z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString()),
  severity: z.string().trim().min(1).max(32),
  scenario: z.string().trim().min(1).max(128),
};
