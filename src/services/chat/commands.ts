/**
 * Chat-ops: what `/crier …` and the buttons in an incident's room do. The
 * chat user is matched to a Crier user by the email address their chat
 * account has, and acts as that user, with exactly that user's role: each
 * verb checks it as it would for the console or the API. The answer is
 * text for the person who asked, never shown to the room, except the
 * outcome of an approval that settles its request (`ButtonOutcome`), which
 * takes the request's place there.
 *
 *   declare [SEV] <name>         status [id]            update [id] [status] <text>
 *   resolve [id] [text]          roles [id] [role email]  brief [id]
 *
 * Where the command is typed in an incident's room, the incident is that
 * room's unless an id is given.
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { type IncidentStatus, incidentStatuses } from '../../domain/incidents.ts';
import { type IncidentRole, incidentRoleLabels, incidentRoles } from '../../domain/roles.ts';
import type { Actor, Ctx } from '../context.ts';
import { declareIncident } from '../incidents/declare.ts';
import { incidentLink } from '../incidents/links.ts';
import { getIncident } from '../incidents/queries.ts';
import { resolveIncident } from '../incidents/resolve.ts';
import { currentPlan } from '../plan/current.ts';
import { listRoles, reassignRoles } from '../plan/roles.ts';
import { approveUpdate } from '../updates/approve.ts';
import { postUpdate } from '../updates/post.ts';
import { rejectUpdate } from '../updates/reject.ts';
import { buildSupportBrief, supportBriefText } from '../updates/support-brief.ts';

const chatUsage = [
  'Usage: /crier <command>',
  '  declare [SEV] <name>: declare an incident',
  '  status [id]: an incident, or the open ones',
  '  update [id] [status] <text>: an internal update (moves the status when one is given)',
  '  resolve [id] [text]: resolve it (the notice follows the approval policy)',
  '  roles [id] [role email]: who holds the roles, or give one to someone',
  '  brief [id]: the support brief',
  'In an incident’s room, the incident is that room’s.',
].join('\n');

/** The Crier user with this email address, as an actor; null when there is none. */
export async function chatActor(
  ctx: Pick<Ctx, 'db'>,
  email: string | null,
  source: string,
  requestId: string,
): Promise<Actor | null> {
  if (email === null) return null;
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'email', 'role'])
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!user) return null;
  return { id: `user:${user.email}`, role: user.role, source, requestId, userId: user.id };
}

const isStatus = (word: string | undefined): word is IncidentStatus =>
  incidentStatuses.some((s) => s === word);
const isRole = (word: string | undefined): word is IncidentRole => incidentRoles.some((r) => r === word);

/** The incident a command names by id, or its room's; the rest of the words. */
async function incidentFor(ctx: Ctx, words: string[], room: string | undefined) {
  const [first, ...rest] = words;
  if (first !== undefined && /^[0-9a-z]{12}$/.test(first)) {
    const found = await ctx.db
      .selectFrom('incidents')
      .select('id')
      .where('id', '=', first)
      .executeTakeFirst();
    if (found) return { id: found.id, rest };
  }
  const byRoom =
    room === undefined
      ? undefined
      : await ctx.db
          .selectFrom('chat_rooms')
          .select('incident_id')
          .where('room_id', '=', room)
          .executeTakeFirst();
  if (byRoom) return { id: byRoom.incident_id, rest: words };
  throw new CrierError(
    'validation_failed',
    'Say which incident: its id first (/crier status shows the open ones).',
  );
}

async function describe(ctx: Ctx, id: string): Promise<string> {
  const incident = await getIncident(ctx.db, id);
  const roles = await listRoles(ctx.db, id);
  return [
    `${incident.name} (${incident.id}): ${incident.status}${incident.severity ? `, ${incident.severity}` : ''}, impact ${incident.impact}`,
    incident.next_update_due_at
      ? `Next public update due ${incident.next_update_due_at}`
      : 'No public update due',
    ...roles.map((r) => `${incidentRoleLabels[r.role]}: ${r.holder ?? 'nobody'}`),
    await incidentLink(ctx.db, ctx.config.publicUrl, id, 'team'),
  ].join('\n');
}

async function openIncidents(ctx: Ctx): Promise<string> {
  const open = await ctx.db
    .selectFrom('incidents')
    .select(['id', 'name', 'status', 'severity'])
    .where('status', 'not in', ['resolved', 'postmortem'])
    .orderBy('declared_at', 'desc')
    .limit(10)
    .execute();
  if (open.length === 0) return 'No open incident.';
  return open.map((i) => `${i.id}  ${i.status}  ${i.severity ?? ''}  ${i.name}`).join('\n');
}

/** Runs one `/crier` command as `ctx.actor`; the answer's words. */
export async function runChatCommand(ctx: Ctx, text: string, room: string | undefined): Promise<string> {
  const [command, ...words] = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  switch (command?.toLowerCase()) {
    case 'declare': {
      const plan = await currentPlan(ctx.db);
      const severity = words[0] !== undefined && plan?.severities[words[0]] ? words.shift() : undefined;
      const name = words.join(' ');
      if (name === '')
        throw new CrierError('validation_failed', 'Name the incident: /crier declare [SEV] <name>.');
      const incident = await declareIncident(ctx, { name, ...(severity && { severity }) });
      return `Declared: ${await describe(ctx, incident.id)}`;
    }
    case 'status': {
      if (words.length === 0 && room === undefined) return openIncidents(ctx);
      const target = await incidentFor(ctx, words, room).catch(() => null);
      return target ? describe(ctx, target.id) : openIncidents(ctx);
    }
    case 'update': {
      const { id, rest } = await incidentFor(ctx, words, room);
      const status = isStatus(rest[0]) ? rest.shift() : undefined;
      const body = rest.join(' ');
      if (body === '')
        throw new CrierError('validation_failed', 'Say what is new: /crier update [id] [status] <text>.');
      const update = await postUpdate(ctx, id, {
        body,
        audience: 'internal',
        ...(status && { status: status as IncidentStatus }),
      });
      return `Internal update ${update.state === 'published' ? 'posted' : `saved as ${update.state}`}.`;
    }
    case 'resolve': {
      const { id, rest } = await incidentFor(ctx, words, room);
      const body = rest.join(' ');
      const incident = await resolveIncident(ctx, id, body === '' ? {} : { body });
      return `${incident.status === 'resolved' ? 'Resolved' : 'The resolving notice waits for approval'}: ${incident.name}.`;
    }
    case 'roles': {
      const { id, rest } = await incidentFor(ctx, words, room);
      if (rest.length === 0) return describe(ctx, id);
      const [role, holder] = rest;
      if (!isRole(role) || holder === undefined) {
        throw new CrierError(
          'validation_failed',
          `Give a role and a person: /crier roles [id] <${incidentRoles.join('|')}> <email>.`,
        );
      }
      await reassignRoles(ctx, id, { [role]: holder });
      return describe(ctx, id);
    }
    case 'brief': {
      const { id } = await incidentFor(ctx, words, room);
      const brief = await buildSupportBrief(ctx, ctx.db, id, await currentPlan(ctx.db));
      return supportBriefText(brief);
    }
    default:
      return chatUsage;
  }
}

/** A button's value: `<incident id>:<update id>`. */
function updateOf(value: string): { incidentId: string; updateId: string } {
  const match = /^([0-9a-z]{12}):([0-9a-z]{12})$/.exec(value);
  if (!match?.[1] || !match[2]) throw new CrierError('validation_failed', 'The button names no update.');
  return { incidentId: match[1], updateId: match[2] };
}

/**
 * What a click on an approval request came to: the words, and whether it
 * settled the request (no approval is asked of the room any more), so the
 * request can say so in place of its buttons.
 */
export interface ButtonOutcome {
  readonly text: string;
  readonly settled: boolean;
}

/** The Approve button, as `ctx.actor`. */
export async function approveFromChat(ctx: Ctx, value: string): Promise<ButtonOutcome> {
  const { incidentId, updateId } = updateOf(value);
  const draft = await approveUpdate(ctx, incidentId, updateId);
  // Another approver is still needed: the buttons stay for them.
  if (draft.state === 'pending_approval')
    return { text: 'Approved; the draft waits for another approval.', settled: false };
  // Said to the room, which sees who decided.
  const who = ctx.actor.id.replace(/^user:/, '');
  return {
    text:
      draft.state === 'published'
        ? `Approved by ${who} and published.`
        : `Approved by ${who}; the draft is ${draft.state.replaceAll('_', ' ')}.`,
    settled: true,
  };
}

/** The rejection form's comment, as `ctx.actor`: a rejection always settles the request. */
export async function rejectFromChat(ctx: Ctx, value: string, comment: string): Promise<ButtonOutcome> {
  const { incidentId, updateId } = updateOf(value);
  await rejectUpdate(ctx, incidentId, updateId, { comment });
  // Said to the room, which sees who decided; the comment is for the draft's authors.
  return {
    text: `Rejected by ${ctx.actor.id.replace(/^user:/, '')}; its authors are told why.`,
    settled: true,
  };
}

/** What the person is told when Crier refuses: the reason, never a stack. */
export function refusal(err: unknown): string {
  if (err instanceof CrierError) return `Not done: ${err.message}`;
  if (err instanceof z.ZodError)
    return `Not done: ${err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`;
  throw err;
}
