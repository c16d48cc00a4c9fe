import { z } from 'zod';

/**
 * Statuspage's management API wraps request bodies (`{ "incident": { ... } }`).
 * Crier takes the fields bare, and also wrapped, so scripts written for
 * Statuspage work unchanged. A body that has the wrapper key is read as
 * wrapped only: a bad wrapped body is refused, not taken for an empty bare one.
 */
export function wrappedOrBare<T extends z.ZodObject>(key: string, schema: T) {
  // Typed as the bare schema: the extra key can only ever be absent.
  const bare = schema.extend({ [key]: z.never().optional() }) as unknown as T;
  return z.union([z.object({ [key]: schema }).transform((v) => v[key] as z.output<T>), bare]);
}
