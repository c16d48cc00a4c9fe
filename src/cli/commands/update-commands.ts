/** `crier update approve|reject <incident-id> <update-id>`: an approver's decision on a draft. */
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { apiClient, call } from '../client.ts';
import { CliError, print } from '../output.ts';

const usage = `Usage:
  crier update approve <incident-id> <update-id> [--comment C] [--reason R] [--no-publish]
  crier update reject <incident-id> <update-id> --comment C`;

export async function runUpdateCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      comment: { type: 'string' },
      reason: { type: 'string' },
      'no-publish': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const [incident, update] = positionals;
  if ((sub !== 'approve' && sub !== 'reject') || !incident || !update) throw new CliError(usage, 2);
  const api = apiClient({ url: config.clientUrl, token: config.clientToken });
  const params = { path: { id: incident, uid: update } };
  let draft: { id: string; state: string };
  if (sub === 'approve') {
    draft = await call(
      api.POST('/api/v1/incidents/{id}/updates/{uid}/approve', {
        params,
        body: {
          publish: !values['no-publish'],
          ...(values.comment !== undefined && { comment: values.comment }),
          ...(values.reason !== undefined && { reason: values.reason }),
        },
      }),
    );
  } else {
    if (values.comment === undefined) throw new CliError(`A rejection needs --comment.\n${usage}`, 2);
    draft = await call(
      api.POST('/api/v1/incidents/{id}/updates/{uid}/reject', { params, body: { comment: values.comment } }),
    );
  }
  print(draft, values.json ?? false, () => `${draft.id}: ${draft.state}`);
  return 0;
}
