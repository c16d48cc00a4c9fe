import { z } from 'zod';

/** A field a body accepted and did nothing with, named in the answer's `warnings`. */
export const BodyWarning = z
  .object({
    field: z.string().describe('Where the field was in the body: `incident.wants_twitter_update`.'),
    message: z.string(),
  })
  .meta({ id: 'BodyWarning' });
export type BodyWarning = z.infer<typeof BodyWarning>;

/** A field Statuspage's management API documents for a body and Crier does not act on. */
interface IgnoredField {
  /** Its type as Statuspage documents it: a value of another type is refused like any bad value. */
  schema: z.ZodType;
  /** Why nothing happens, told to the client in the warning and in the OpenAPI document. */
  why: string;
}
export type IgnoredFields = Readonly<Record<string, IgnoredField>>;

export interface Body<T> {
  /** The fields Crier acts on, for the verb. */
  input: T;
  /** The Statuspage fields that were sent and are ignored. */
  warnings: BodyWarning[];
}

/** The invalid_union issue of a body that is neither form reads as this, so errors can pick the form meant. */
const neitherForm = 'The body is not valid, bare or wrapped.';
/** What the bare form says of the wrapper key: the body is read as wrapped. */
const readAsWrapped = 'the body has this key, so it is read as wrapped in it';

/**
 * Statuspage's management API wraps request bodies (`{ "incident": { ... } }`).
 * Crier takes the fields bare, and also wrapped, so scripts written for
 * Statuspage work unchanged. A body that has the wrapper key is read as
 * wrapped only: a bad wrapped body is refused, not taken for an empty bare one.
 *
 * Every field must be one the verb knows (its schema is strict), or one of
 * `ignored`: documented by Statuspage, accepted so its scripts keep working,
 * and named in the answer's `warnings`. `refused` names Statuspage fields
 * that would mean something else here, each with what to do instead.
 * `beside` names the verb's fields that Statuspage sends next to the wrapper
 * rather than in it (a component group's `description`).
 */
export function wrappedOrBare<T extends z.ZodObject>(
  key: string,
  schema: T,
  options: {
    ignored?: IgnoredFields;
    refused?: Readonly<Record<string, string>>;
    beside?: readonly string[];
  } = {},
) {
  const ignored = options.ignored ?? {};
  const accepted = Object.fromEntries(
    Object.entries(ignored).map(([name, f]) => [
      name,
      f.schema.optional().describe(`Accepted for Statuspage compatibility and ignored: ${f.why}`),
    ]),
  );
  const refused = Object.fromEntries(
    Object.entries(options.refused ?? {}).map(([name, why]) => [
      name,
      z.never({ error: why }).optional().describe(`Refused: ${why}`),
    ]),
  );
  const inner = schema.extend({ ...accepted, ...refused });
  const split = (value: Record<string, unknown>, prefix: string): Body<z.output<T>> => {
    const input: Record<string, unknown> = { ...value };
    const warnings: BodyWarning[] = [];
    for (const [name, f] of Object.entries(ignored)) {
      if (!(name in input)) continue;
      delete input[name];
      warnings.push({ field: `${prefix}${name}`, message: `accepted and ignored: ${f.why}` });
    }
    return { input: input as z.output<T>, warnings };
  };
  const besideShape = Object.fromEntries(
    (options.beside ?? []).map((name) => [name, (schema.shape[name] as z.ZodType).optional()]),
  );
  const wrapped = z
    .strictObject({ [key]: inner, ...besideShape })
    .superRefine((v, ctx) => {
      const body = v[key] as Record<string, unknown>;
      for (const name of options.beside ?? []) {
        if (v[name] !== undefined && body[name] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `give ${name} once, beside ${key} or in it`,
          });
      }
    })
    .transform((v) => {
      const { [key]: body, ...besides } = v;
      const read = split(body as Record<string, unknown>, `${key}.`);
      const given = Object.fromEntries(Object.entries(besides).filter(([, value]) => value !== undefined));
      return { input: { ...given, ...read.input } as z.output<T>, warnings: read.warnings };
    });
  // The bare form may not carry the wrapper key: that body is read as wrapped only.
  const bare = inner
    .extend({ [key]: z.never({ error: readAsWrapped }).optional() })
    .transform((v) => split(v as Record<string, unknown>, ''));
  return z.union([wrapped, bare], { error: neitherForm });
}

interface UnionIssue {
  message?: string;
  errors?: unknown;
}

/**
 * Of a body `wrappedOrBare` refused, the problems with the form the client
 * meant: the wrapped one when the body has the wrapper key (the bare form
 * then refuses that key), the bare one otherwise. Undefined for
 * any other union.
 */
export function problemsOfMeantForm<I extends { message: string }>(issue: UnionIssue): I[] | undefined {
  if (issue.message !== neitherForm || !Array.isArray(issue.errors) || issue.errors.length !== 2)
    return undefined;
  const [wrapped, bare] = issue.errors as [I[], I[]];
  return bare.some((i) => i.message === readAsWrapped) ? wrapped : bare;
}

/** The answer of a body that may have had ignored fields: the view, with `warnings` when there are any. */
export function withWarnings<V extends object>(view: V, warnings: readonly BodyWarning[]): V {
  return warnings.length === 0 ? view : { ...view, warnings: [...warnings] };
}

/** A view that may carry the `warnings` of the body that made it (an extra field clients may ignore). */
export function warned<V extends z.ZodType>(view: V) {
  return z.intersection(
    view,
    z.object({
      warnings: z
        .array(BodyWarning)
        .optional()
        .describe(
          'The Statuspage fields the body had that Crier accepts and ignores; absent when there are none (docs/api.md).',
        ),
    }),
  );
}
