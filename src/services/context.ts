/**
 * The explicit context every service verb receives. Built in one place
 * (src/app.ts, or a test), never read from globals.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { Role } from '../domain/permissions.ts';
import type { Changes } from '../store/changes.ts';
import type { Db } from '../store/db.ts';

export interface Actor {
  /** Who, as written in the audit log: `token:<name>`, `system`, ... */
  readonly id: string;
  readonly role: Role;
  /** Where the action came from: an IP address, `cli`, `worker`. */
  readonly source?: string;
  readonly requestId?: string;
  /** Set when a signed-in person acts through a session (src/services/users/sessions.ts). */
  readonly userId?: string;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Ctx {
  readonly actor: Actor;
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: Config;
  readonly changes: Changes;
  /** Set inside a transaction: callbacks to run once the outermost transaction commits. */
  readonly afterCommit?: (() => void)[];
}

export const systemActor: Actor = { id: 'system', role: 'admin', source: 'system' };

/** The same context acting as someone else (the worker acts as `system`). */
export function actingAs(ctx: Ctx, actor: Actor): Ctx {
  return { ...ctx, actor };
}
