/**
 * Every migration, in order. Listed by hand rather than read from disk, so a
 * build or a bundle carries them. Add a file, then add it here.
 */
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_init.ts';
import * as m0003 from './0003_delivery.ts';
import * as m0004 from './0004_plan.ts';
import * as m0005 from './0005_active_deliveries.ts';
import * as m0006 from './0006_plan_origin.ts';
import * as m0007 from './0007_token_fingerprints.ts';
import * as m0008 from './0008_users.ts';
import * as m0009 from './0009_approval_basis.ts';
import * as m0010 from './0010_audience_deadlines.ts';
import * as m0011 from './0011_ingest.ts';
import * as m0012 from './0012_runbook_runs.ts';
import * as m0013 from './0013_retention.ts';
import * as m0014 from './0014_drills.ts';
import * as m0015 from './0015_feedback.ts';
import * as m0015b from './0015b_game_days.ts';
import * as m0016 from './0016_incident_plan_version.ts';
import * as m0017 from './0017_runbook_steps.ts';
import * as m0018 from './0018_chat_rooms.ts';
import * as m0019 from './0019_suppressions.ts';
import * as m0020 from './0020_imported.ts';
import * as m0021 from './0021_private_pages.ts';
import * as m0022 from './0022_job_traces.ts';
import * as m0026 from './0026_update_translations.ts';
import * as m0027 from './0027_social_posts.ts';
import * as m0028 from './0028_mentions.ts';
import * as m0031 from './0031_ingest_key_hmac.ts';

export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0003_delivery': m0003,
  '0004_plan': m0004,
  '0005_active_deliveries': m0005,
  '0006_plan_origin': m0006,
  '0007_token_fingerprints': m0007,
  '0008_users': m0008,
  '0009_approval_basis': m0009,
  '0010_audience_deadlines': m0010,
  '0011_ingest': m0011,
  '0012_runbook_runs': m0012,
  '0013_retention': m0013,
  '0014_drills': m0014,
  '0015_feedback': m0015,
  '0015b_game_days': m0015b,
  '0016_incident_plan_version': m0016,
  '0017_runbook_steps': m0017,
  '0018_chat_rooms': m0018,
  '0019_suppressions': m0019,
  '0020_imported': m0020,
  '0021_private_pages': m0021,
  '0022_job_traces': m0022,
  '0026_update_translations': m0026,
  '0027_social_posts': m0027,
  '0028_mentions': m0028,
  '0031_ingest_key_hmac': m0031,
};
