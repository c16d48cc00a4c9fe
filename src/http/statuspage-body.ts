import { z } from 'zod';

/**
 * Statuspage's management API wraps request bodies (`{ "incident": { ... } }`).
 * Crier takes the fields bare, and also wrapped, so scripts written for
 * Statuspage work unchanged.
 */
export function wrappedOrBare<T extends z.ZodObject>(key: string, schema: T) {
  return z.union([z.object({ [key]: schema }).transform((v) => v[key] as z.output<T>), schema]);
}
