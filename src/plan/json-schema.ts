/** The plan's JSON Schema, for editors (`crier plan schema`), generated from the one Zod schema. */
import { z } from 'zod';
import { Plan } from './schema.ts';

export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Plan, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return {
    ...schema,
    $id: 'https://crier.dev/schema/crier.yaml.json',
    title: 'Crier communication plan (crier.yaml)',
  };
}
