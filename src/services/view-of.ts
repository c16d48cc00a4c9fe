import type { z } from 'zod';

type Output<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;

const keysOf = new WeakMap<z.ZodObject, readonly string[]>();

/**
 * A row turned into a view: the fields `columns` names are the row's
 * columns as stored, the others are `computed`. The view's Zod schema
 * (which the OpenAPI document and Fastify's serializer read) is the one
 * list of its fields; the row is typed by the store's table, so a column
 * that is renamed, dropped or changes to a type the view does not allow
 * fails typecheck here instead of drifting. Fields come out in the
 * schema's order, as the API writes them; a computed `undefined` leaves an
 * optional field out. Nothing the schema does not name is copied, so a new
 * column stays in the store until a view names it.
 */
export function viewOf<S extends z.ZodRawShape, K extends keyof Output<S>>(
  view: z.ZodObject<S>,
  columns: readonly K[],
  row: { readonly [P in K]: Output<S>[P] },
  computed: Omit<Output<S>, K>,
): Output<S>;
// The overload above is the typed contract; this body only moves values between keys it was given.
export function viewOf(
  view: z.ZodObject,
  columns: readonly string[],
  row: Readonly<Record<string, unknown>>,
  computed: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  let keys = keysOf.get(view);
  if (keys === undefined) {
    keys = Object.keys(view.shape);
    keysOf.set(view, keys);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = columns.includes(key) ? row[key] : computed[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
