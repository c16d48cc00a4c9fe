/**
 * The layers of the README's architecture diagram, checked by `npm run lint`
 * (dependency-cruiser; sources read with swc, as TypeScript 7 has no
 * JavaScript API yet). From the top:
 *
 *   cli/                      the crier command
 *   app.ts  worker.ts         the composition roots of serve and of worker
 *   logger.ts                 the log every process writes
 *   http/  statuspage/  ingest/   ways in and out
 *   services/  delivery/      use cases; the outbox worker
 *   store/  plan/             the database and the outbox port; the plan
 *   channels/                 one module per provider
 *   domain/  config.ts        pure rules and shapes; the configuration
 *
 * A folder imports only from the levels below it, never from one beside
 * it: what one needs of the other, the composition root hands over. Every
 * import counts, type-only ones too; the cycle rule counts those that
 * remain at run time.
 */
const below = {
  domain: [],
  config: [],
  channels: ['domain'],
  store: ['channels', 'domain'],
  plan: ['channels', 'domain'],
  services: ['store', 'plan', 'channels', 'domain', 'config'],
  delivery: ['store', 'plan', 'channels', 'domain', 'config'],
  http: ['services', 'delivery', 'store', 'plan', 'channels', 'domain', 'config'],
  statuspage: ['services', 'store', 'plan', 'channels', 'domain', 'config'],
  ingest: ['services', 'store', 'plan', 'channels', 'domain', 'config'],
};

const pathOf = (layer) => (layer === 'config' ? '^src/config\\.ts$' : `^src/${layer}/`);

const layerRules = Object.entries(below).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  severity: 'error',
  comment: `src/${layer === 'config' ? 'config.ts' : `${layer}/`} imports only from: ${allowed.join(', ') || 'nothing else in src'}.`,
  from: { path: pathOf(layer) },
  to: { path: '^src/', pathNot: [pathOf(layer), ...allowed.map(pathOf)] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'layer-app',
      severity: 'error',
      comment: 'The composition roots wire every layer; only the command above them imports them.',
      from: { path: '^src/(app|worker|logger)\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'app-is-the-root',
      severity: 'error',
      comment: "Only the command imports the composition roots (serve's takes the worker's use cases).",
      from: { path: '^src/', pathNot: '^src/(cli/|app\\.ts$)' },
      to: { path: '^src/(app|worker)\\.ts$' },
    },
    {
      name: 'logger-below-the-roots',
      severity: 'error',
      comment: 'The log is made by the command and the composition roots only.',
      from: { path: '^src/', pathNot: '^src/(cli/|(app|worker)\\.ts$)' },
      to: { path: '^src/logger\\.ts$' },
    },
    {
      name: 'worker-runs-no-http-app',
      severity: 'error',
      comment:
        '`crier worker` loads no API server, status page or console (test/loaded-at-start.test.ts checks the libraries).',
      from: { path: '^src/(worker\\.ts|cli/commands/worker-command\\.ts)$' },
      to: {
        path: '^src/(app\\.ts|statuspage/|http/(server|errors|connection-limits)\\.ts|http/(console|admin|public)/)',
        reachable: true,
      },
    },
    {
      name: 'no-cycle',
      severity: 'error',
      comment:
        'No import cycle anywhere in src/ (type-only imports are erased at run time and do not count).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'every-file-in-a-layer',
      severity: 'error',
      comment: 'Every file in src/ belongs to a layer of the diagram.',
      from: {
        path: '^src/',
        pathNot:
          '^src/(domain|channels|store|plan|services|delivery|http|statuspage|ingest|cli)/|^src/(app|worker|logger|config)\\.ts$',
      },
      to: {},
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
