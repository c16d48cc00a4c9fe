/**
 * The tables of practice and feedback: game days that run
 * (src/services/drills/), customers' votes on updates and the team's rating
 * of an incident (src/services/feedback/). Part of the one schema in
 * schema.ts.
 */

interface FeedbackVoteTable {
  id: string;
  update_id: string;
  incident_id: string;
  /** The subscriber whose message's link was followed; null for a vote from the status page. */
  subscriber_id: string | null;
  /** A page vote's address, as a keyed hash (never the address itself); null for a subscriber's vote. */
  address_hash: string | null;
  /** 1: the update helped; 0: it did not. */
  helpful: number;
  /** What the voter added, as written (bounded); shown only to the team, always escaped. */
  comment: string | null;
  created_at: string;
  changed_at: string;
}

interface TeamFeedbackTable {
  id: string;
  incident_id: string;
  /** Who gave it: the actor as the audit log writes it (a person, or a helpdesk's token). */
  user_id: string;
  /** 1 (poor) to 5 (excellent): how well the incident was communicated; null when only tickets are reported. */
  rating: number | null;
  comment: string | null;
  /** Support tickets about the incident as this reporter counts them; the latest count per reporter stands. */
  support_tickets: number | null;
  created_at: string;
}

/** A run of one of the plan's game days (`drills:`), and its drill. */
interface GameDayTable {
  id: string;
  /** The plan's name for it. */
  name: string;
  incident_id: string;
  speed: number;
  state: 'running' | 'done';
  /** JSON: the script's events as they were when it started, with `due_at` each. */
  script: string;
  steps_done: number;
  /** JSON: [{ channel, until }] — channels the drill's messages fail on (`until` null: to the end). */
  failing: string;
  started_by: string;
  started_at: string;
  finished_at: string | null;
}

/** These tables, as the one schema (schema.ts) lists them. */
export interface PracticeTables {
  feedback_votes: FeedbackVoteTable;
  team_feedback: TeamFeedbackTable;
  game_days: GameDayTable;
}
