/** Incident roles: who holds them and who counts as whom. */

export const incidentRoles = ['incident_lead', 'comms_lead', 'support_lead'] as const;
export type IncidentRole = (typeof incidentRoles)[number];

export const incidentRoleLabels: Record<IncidentRole, string> = {
  incident_lead: 'incident lead',
  comms_lead: 'communications lead',
  support_lead: 'support lead',
};

export const incidentRoleDuties: Record<IncidentRole, string> = {
  incident_lead: 'Run the response, decide on severity and fixes, and keep the timeline current.',
  comms_lead:
    'Write and approve customer updates from the plan’s templates, and publish each before it is due.',
  support_lead:
    'Answer customer tickets from the support brief, and tell the comms lead what customers report.',
};

export interface Rota {
  people: readonly string[];
  /** How long each person's turn lasts; null: the first person always holds it. */
  shiftMs: number | null;
  /** When the first person's first turn began (ISO). */
  start: string;
}

/** Who holds a rota at `now`: turns of `shiftMs` from `start`, in order, round and round. */
export function rotaHolder(rota: Rota, now: string): string | null {
  if (rota.people.length === 0) return null;
  if (rota.shiftMs === null) return rota.people[0] ?? null;
  const elapsed = Date.parse(now) - Date.parse(rota.start);
  const turn = Math.floor(elapsed / rota.shiftMs);
  const n = rota.people.length;
  return rota.people[((turn % n) + n) % n] ?? null;
}

/**
 * Whether an actor is this holder. Holders are written as people know them
 * (an email address); actors authenticate with API tokens named after them,
 * so `token:carol@acme.example` is `carol@acme.example`.
 */
export function isHolder(holder: string | null, actorId: string): boolean {
  if (holder === null) return false;
  const a = actorId.toLowerCase();
  const h = holder.toLowerCase();
  return a === h || a === `token:${h}` || a === `user:${h}`;
}
