/** `crier ingest …`: keys for alert sources, and the alerts they sent (docs/ingest.md). */
import { type Command, Option } from 'commander';
import { alertStatuses, ingestSources } from '../../domain/alerts.ts';
import { call } from '../client.ts';
import { print, table } from '../output.ts';
import { loadCliConfig } from '../settings.ts';
import { api, rows, withJson } from './common.ts';

const keyColumns = [
  'id',
  'source',
  'name',
  'prefix',
  'hmac_secret',
  'created_at',
  'last_used_at',
  'revoked_at',
];

interface Json {
  json: boolean;
}

export function ingestCommands(program: Command): void {
  const ingest = program.command('ingest').description('alerts coming in from monitoring systems');
  const key = ingest.command('key').description('the secret keys sources post with');

  withJson(
    key
      .command('create')
      .description('create a key for a source; prints the URL to post to (shown once)')
      .addOption(
        new Option('--source <source>', 'what posts with it').choices(ingestSources).makeOptionMandatory(),
      )
      .option('--name <name>', 'what posts with it (a cluster, an account)')
      .option(
        '--hmac-secret <env:NAME>',
        "grafana: the variable in Crier's environment holding this contact point's HMAC secret",
      ),
  ).action(
    async (o: Json & { source: (typeof ingestSources)[number]; name?: string; hmacSecret?: string }) => {
      const created = await call(
        (await api()).POST('/api/v1/ingest-keys', {
          body: {
            source: o.source,
            ...(o.name && { name: o.name }),
            ...(o.hmacSecret && { hmac_secret: o.hmacSecret }),
          },
        }),
      );
      const { clientUrl } = await loadCliConfig();
      const url = `${clientUrl}${created.path}`;
      print(
        { ...created, url },
        o.json,
        () => `${url}\n(source ${created.source}, id ${created.id}; shown once — store it now)`,
      );
    },
  );

  withJson(key.command('list').description('list keys (never the secrets)')).action(async (o: Json) => {
    const list = await call((await api()).GET('/api/v1/ingest-keys'));
    print(list, o.json, () => table(rows(list), keyColumns));
  });

  withJson(
    key
      .command('revoke')
      .description('revoke a key: its source is refused from now on')
      .argument('<id>', 'the key'),
  ).action(async (id: string, o: Json) => {
    const revoked = await call(
      (await api()).DELETE('/api/v1/ingest-keys/{id}', { params: { path: { id } } }),
    );
    print(revoked, o.json, () => table(rows(revoked), keyColumns));
  });

  withJson(
    ingest
      .command('alerts')
      .description('list the alerts received, latest first')
      .addOption(new Option('--source <source>', 'only from this source').choices(ingestSources))
      .addOption(new Option('--status <status>', 'only firing or resolved').choices(alertStatuses)),
  ).action(
    async (
      o: Json & { source?: (typeof ingestSources)[number]; status?: (typeof alertStatuses)[number] },
    ) => {
      const list = await call(
        (await api()).GET('/api/v1/alerts', {
          params: { query: { ...(o.source && { source: o.source }), ...(o.status && { status: o.status }) } },
        }),
      );
      print(list, o.json, () =>
        table(rows(list), [
          'id',
          'source',
          'status',
          'title',
          'severity',
          'received_count',
          'last_received_at',
        ]),
      );
    },
  );
}
