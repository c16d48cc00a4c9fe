/** Reading a payload: JSON parsed, then checked with the source's Zod schema; a mismatch is a clear 400. */
import { type ZodType, z } from 'zod';
import { CrierError } from '../domain/errors.ts';

export function parseJsonBody<S extends ZodType>(body: Buffer, schema: S, what: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CrierError('malformed_request', `The body is not valid JSON; expected ${what}.`);
  }
  return parseValue(value, schema, what);
}

export function parseValue<S extends ZodType>(value: unknown, schema: S, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CrierError(
      'validation_failed',
      `The body is not ${what}.`,
      parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** Label and annotation maps: strings to strings, bounded. Other scalar values are written as text. */
export const StringMap = z
  .record(z.string().max(200), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 entries')
  .transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.slice(0, 4000)])));

/** A link back to the source, kept only when it is http(s). */
export function linkOrNull(...candidates: (string | null | undefined)[]): string | null {
  for (const c of candidates) {
    if (!c) continue;
    try {
      const url = new URL(c);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.href.slice(0, 2000);
    } catch {
      // not a URL: try the next one
    }
  }
  return null;
}
