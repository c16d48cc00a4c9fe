/** The declare and new-draft forms read into their verbs' inputs, alike for acting and previewing. */
import type { DeclareIncidentInput } from '../../services/incidents/declare.ts';
import type { CreateDraftInput } from '../../services/updates/create.ts';
import { field, fields } from './page.ts';

export function declareInput(body: unknown, name = field(body, 'name')): DeclareIncidentInput {
  const status = field(body, 'component_status') || 'partial_outage';
  const text = field(body, 'body').trim();
  return {
    name,
    ...(field(body, 'scenario') && { scenario: field(body, 'scenario') }),
    ...(field(body, 'severity') && { severity: field(body, 'severity') }),
    ...(text && { body: text }),
    components: Object.fromEntries(fields(body, 'component').map((c) => [c, status])) as Record<
      string,
      'partial_outage'
    >,
  };
}

export function draftInput(body: unknown): CreateDraftInput {
  return {
    audience: field(body, 'audience') || 'public',
    ...(field(body, 'status') && { status: field(body, 'status') as 'investigating' }),
    ...(field(body, 'body').trim() && { body: field(body, 'body').trim() }),
  };
}
