/** `crier roles <incident-id> [--incident-lead WHO] ...`: show or reassign an incident's role holders. */
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { apiClient, call } from '../client.ts';
import { CliError, print, table } from '../output.ts';

export async function runRolesCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'incident-lead': { type: 'string' },
      'comms-lead': { type: 'string' },
      'support-lead': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const id = positionals[0];
  if (!id)
    throw new CliError(
      'Usage: crier roles <incident-id> [--incident-lead WHO] [--comms-lead WHO] [--support-lead WHO]',
      2,
    );
  const api = apiClient({ url: config.clientUrl, token: config.clientToken });
  const change = {
    ...(values['incident-lead'] !== undefined && { incident_lead: values['incident-lead'] }),
    ...(values['comms-lead'] !== undefined && { comms_lead: values['comms-lead'] }),
    ...(values['support-lead'] !== undefined && { support_lead: values['support-lead'] }),
  };
  const params = { path: { id } };
  const roles =
    Object.keys(change).length === 0
      ? await call(api.GET('/api/v1/incidents/{id}/roles', { params }))
      : await call(api.PUT('/api/v1/incidents/{id}/roles', { params, body: change }));
  print(roles, values.json ?? false, () =>
    table(roles as unknown as Record<string, unknown>[], ['role', 'holder', 'assigned_by', 'assigned_at']),
  );
  return 0;
}
