/**
 * The fields Statuspage's management API documents for incident, update,
 * maintenance and subscriber bodies that Crier does not act on. Each is
 * accepted, so scripts written for Statuspage keep working, and named in the
 * answer's `warnings`; docs/api.md lists them (a test holds the two together).
 * A field Crier acts on is in the verb's own schema, not here.
 */
import { z } from 'zod';
import type { IgnoredFields } from './statuspage-body.ts';

const flag = z.boolean();
const noTwitter = 'an update goes to X on an x channel its audience lists, whatever this says.';
const maintenanceOnly =
  'it applies to scheduled maintenance, which Crier keeps apart: POST /api/v1/maintenances.';

const twitter: IgnoredFields = {
  wants_twitter_update: { schema: flag, why: noTwitter },
  auto_tweet_at_beginning: { schema: flag, why: noTwitter },
  auto_tweet_on_completion: { schema: flag, why: noTwitter },
  auto_tweet_on_creation: { schema: flag, why: noTwitter },
  auto_tweet_one_hour_before: { schema: flag, why: noTwitter },
};

const metadata: IgnoredFields = {
  metadata: {
    schema: z.record(z.string(), z.record(z.string(), z.unknown())),
    why: 'Crier keeps no metadata on incidents or maintenances.',
  },
};

/** Statuspage's scheduling switches, which on a live incident do nothing there either. */
const scheduling = [
  'scheduled_remind_prior',
  'scheduled_auto_in_progress',
  'scheduled_auto_completed',
  'scheduled_auto_transition',
  'auto_transition_to_maintenance_state',
  'auto_transition_to_operational_state',
  'auto_transition_deliver_notifications_at_start',
  'auto_transition_deliver_notifications_at_end',
] as const;

/** `POST /incidents` and `PATCH /incidents/:id`. */
export const ignoredOnIncidents: IgnoredFields = {
  ...twitter,
  ...metadata,
  backfilled: {
    schema: flag,
    why: 'to record a past incident, declare it with `status: resolved`, its `started_at`, and `deliver_notifications: false` so subscribers are not told.',
  },
  backfill_date: {
    schema: z.string().max(64),
    why: 'give the incident its `started_at` instead.',
  },
  ...Object.fromEntries(scheduling.map((name) => [name, { schema: flag, why: maintenanceOnly }])),
};

/** `POST /incidents/:id/updates`. */
export const ignoredOnUpdates: IgnoredFields = {
  wants_twitter_update: { schema: flag, why: noTwitter },
};

/** `PATCH /incidents/:id/updates/:uid`: a correction of a published update. */
export const ignoredOnCorrections: IgnoredFields = {
  wants_twitter_update: { schema: flag, why: noTwitter },
  display_at: {
    schema: z.string().max(64),
    why: 'a corrected update keeps the time it was published at.',
  },
  deliver_notifications: {
    schema: flag,
    why: 'a correction changes the page, the feeds, the API and the update’s social posts (edited, or a reply saying so); it is not sent to subscribers again.',
  },
};

/** `POST /maintenances`. */
export const ignoredOnMaintenances: IgnoredFields = {
  ...twitter,
  ...metadata,
  scheduled_remind_prior: {
    schema: flag,
    why: 'subscribers are reminded before every maintenance, as CRIER_MAINTENANCE_REMINDER_MINUTES says.',
  },
  scheduled_auto_transition: {
    schema: flag,
    why: 'send `scheduled_auto_in_progress`, which Crier acts on.',
  },
  auto_transition_to_maintenance_state: {
    schema: flag,
    why: 'a maintenance always puts its components under maintenance when it starts.',
  },
  auto_transition_to_operational_state: {
    schema: flag,
    why: 'a maintenance always returns its components to operational when it ends.',
  },
  auto_transition_deliver_notifications_at_start: {
    schema: flag,
    why: 'subscribers told of a maintenance always hear when it starts.',
  },
  auto_transition_deliver_notifications_at_end: {
    schema: flag,
    why: 'subscribers told of a maintenance always hear when it ends.',
  },
  deliver_notifications: {
    schema: flag,
    why: 'subscribers are told of every maintenance.',
  },
  impact_override: {
    schema: z.string().max(32),
    why: "a maintenance's impact is `impact`.",
  },
  components: {
    schema: z.record(z.string(), z.string()),
    why: 'the components in `component_ids` are put under maintenance when it starts.',
  },
};

/** `POST /subscribers`. */
export const ignoredOnSubscribers: IgnoredFields = {
  skip_confirmation_notification: {
    schema: flag,
    why: 'a subscriber an admin adds is confirmed at once, unless `confirm` asks for double opt-in.',
  },
  page_access_user: {
    schema: z.string().max(255),
    why: 'Crier has no private pages; the subscriber hears what its `audience` hears.',
  },
};
