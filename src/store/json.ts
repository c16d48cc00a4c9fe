/**
 * The JSON columns: each one's schema, and the one place their text is read.
 * A column is parsed with Zod where it leaves the store, so one that does not
 * hold what its type says fails here, naming the column, instead of somewhere
 * downstream with a value of the wrong shape.
 */
import { z } from 'zod';
import { componentStatuses } from '../domain/components.ts';

/** Parses a JSON column's text with its schema; throws naming the column when it does not fit. */
function readJson<S extends z.ZodType>(schema: S, text: string, column: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${column} holds text that is not JSON`, { cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${column} does not hold what its schema says: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** One component change an incident update made (Statuspage's `affected_components`). */
export const AffectedComponent = z
  .object({
    code: z.string(),
    name: z.string(),
    old_status: z.enum(componentStatuses),
    new_status: z.enum(componentStatuses),
  })
  .meta({ id: 'AffectedComponent' });
export type AffectedComponent = z.infer<typeof AffectedComponent>;
const AffectedComponents = z.array(AffectedComponent);

/** `incident_updates.affected_components`. */
export function affectedComponentsOf(row: { readonly affected_components: string }): AffectedComponent[] {
  return readJson(AffectedComponents, row.affected_components, 'incident_updates.affected_components');
}

const ComponentIds = z.array(z.string());

/** `subscribers.component_ids`: the components a subscriber follows (the fan-out reads `subscriber_components`). */
export function componentIdsOf(row: { readonly component_ids: string }): string[] {
  return readJson(ComponentIds, row.component_ids, 'subscribers.component_ids');
}
