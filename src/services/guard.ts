import { type Action, assertCan } from '../domain/permissions.ts';
import type { Ctx } from './context.ts';

/** The first line of every verb: may this actor do this? */
export function authorize(ctx: Ctx, action: Action): void {
  assertCan(ctx.actor.role, action);
}
