/**
 * The plan's JSON Schema, for editors (`crier plan schema`), generated from
 * the one Zod schema. Keys that ask for what Crier does not do yet are left
 * out, so an editor does not offer them (`crier plan check` refuses them).
 */
import { z } from 'zod';
import { notYetSupportedList } from '../domain/not-yet-supported.ts';
import { Plan } from './schema.ts';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  required?: string[];
}

export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Plan, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  for (const key of notYetSupportedList.planKeys) leaveOut(schema as SchemaNode, key.path.split('.'));
  return {
    ...schema,
    $id: 'https://crier.dev/schema/crier.yaml.json',
    title: 'Crier communication plan (crier.yaml)',
  };
}

/** Removes the property at `path` (`*`: any name) wherever the schema can hold it. */
function leaveOut(node: SchemaNode | boolean | undefined, path: readonly string[]): void {
  if (node === undefined || typeof node === 'boolean') return;
  for (const branch of node.anyOf ?? []) leaveOut(branch, path);
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    if (node.properties) delete node.properties[head];
    if (node.required) node.required = node.required.filter((r) => r !== head);
    return;
  }
  const children =
    head === '*'
      ? [node.additionalProperties, node.items, ...Object.values(node.properties ?? {})]
      : [node.properties?.[head]];
  for (const child of children) leaveOut(child, rest);
}
