import { inSpan } from '../channels/tracing.ts';
import type { Ctx } from './context.ts';

/**
 * A verb on an update's path, as a span of whatever called it (a request, a job): with its
 * transaction under it, the first step an operator reads when an update was slow to go out.
 */
export function verbSpan<T>(ctx: Ctx, verb: string, fn: () => Promise<T>): Promise<T> {
  return inSpan(verb, { attributes: { 'crier.verb': verb, 'crier.actor': ctx.actor.id } }, fn);
}
