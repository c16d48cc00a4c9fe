/** `crier plan check|schema|diff|apply` and `crier init`. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { apiClient, call } from '../client.ts';
import { readStdin, STDIN } from '../input.ts';
import { CliError, print } from '../output.ts';
import { loadCliConfig } from '../settings.ts';

/** The plan's text and the name to report it under: a file, or standard input for `-`. */
async function planText(file: string | undefined): Promise<{ text: string; shown: string }> {
  if (file === STDIN) return { text: await readStdin(), shown: '(stdin)' };
  const resolved = path.resolve(file ?? (await loadCliConfig()).planPath);
  const { readPlanFile } = await import('../../plan/load.ts');
  const text = await readPlanFile(resolved);
  if (text === null) throw new CliError(`No plan file at ${resolved}. Write one with \`crier init\`.`, 2);
  return { text, shown: path.relative(process.cwd(), resolved) || resolved };
}

const fileArgument = [
  '[file]',
  'the plan (default CRIER_PLAN, ./crier.yaml); - reads standard input',
] as const;

export function planCommands(program: Command): void {
  program
    .command('init')
    .description('write a commented example plan')
    .argument('[file]', 'where to write it (default CRIER_PLAN, ./crier.yaml)')
    .option('--force', 'overwrite a file that exists', false)
    .action(async (file: string | undefined, opts: { force: boolean }) => {
      const target = path.resolve(file ?? (await loadCliConfig()).planPath);
      const [{ readPlanFile }, { initPlanText }] = await Promise.all([
        import('../../plan/load.ts'),
        import('../../plan/init.ts'),
      ]);
      if (!opts.force && (await readPlanFile(target)) !== null) {
        throw new CliError(`${target} exists; pass --force to overwrite it.`, 2);
      }
      await fs.writeFile(target, initPlanText, 'utf8');
      process.stdout.write(`Wrote ${target}. Check it with \`crier plan check ${file ?? ''}\`.\n`);
    });

  const plan = program.command('plan').description('the communication plan (crier.yaml)');

  plan
    .command('check')
    .description('check a plan: every problem with its path and line')
    .argument(...fileArgument)
    .option('--skip-secrets', 'do not require the env: secrets it names to be set', false)
    .option('--json', 'print JSON', false)
    .action(async (file: string | undefined, opts: { skipSecrets: boolean; json: boolean }) => {
      const { text, shown } = await planText(file);
      const [{ formatProblem, readPlan }, config] = await Promise.all([
        import('../../plan/load.ts'),
        loadCliConfig(),
      ]);
      const result = readPlan(text, opts.skipSecrets ? {} : { env: config.env });
      if (result.ok) {
        const p = result.plan;
        print({ ok: true, file: shown, warnings: result.warnings }, opts.json, () =>
          [
            ...result.warnings.map((w) => `warning: ${formatProblem(w, shown)}`),
            `${shown}: OK${result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'})` : ''}`,
            `  ${Object.keys(p.severities).length} severities, ${Object.keys(p.audiences).length} audiences, ` +
              `${Object.keys(p.channels).length} channels, ${Object.keys(p.scenarios).length} scenarios`,
          ].join('\n'),
        );
        return;
      }
      print({ ok: false, file: shown, problems: result.problems }, opts.json, () =>
        [
          ...result.problems.map((p) => formatProblem(p, shown)),
          `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${shown}`,
        ].join('\n'),
      );
      process.exitCode = 1;
    });

  plan
    .command('schema')
    .description("print the plan's JSON Schema, for editors")
    .action(async () => {
      const { planJsonSchema } = await import('../../plan/json-schema.ts');
      process.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
    });

  plan
    .command('diff')
    .description('what applying a plan would change on the server')
    .argument(...fileArgument)
    .option('--json', 'print JSON', false)
    .action(async (file: string | undefined, opts: { json: boolean }) => {
      const { text, shown } = await planText(file);
      const [{ formatProblem, readPlan }, { diffPlans, formatDiff }, config] = await Promise.all([
        import('../../plan/load.ts'),
        import('../../plan/diff.ts'),
        loadCliConfig(),
      ]);
      const local = readPlan(text, { check: false });
      if (!local.ok) throw new CliError(local.problems.map((p) => formatProblem(p, shown)).join('\n'));
      const api = apiClient({ url: config.clientUrl, token: config.clientToken });
      const current = await call(api.GET('/api/v1/plan'));
      const changes = diffPlans(current.plan, local.plan);
      print(changes, opts.json, () => formatDiff(changes));
    });

  plan
    .command('apply')
    .description('apply a plan on the server (a new version)')
    .argument(...fileArgument)
    .option('--json', 'print JSON', false)
    .action(async (file: string | undefined, opts: { json: boolean }) => {
      const { text } = await planText(file);
      const [{ formatDiff }, config] = await Promise.all([import('../../plan/diff.ts'), loadCliConfig()]);
      const api = apiClient({ url: config.clientUrl, token: config.clientToken });
      const applied = await call(api.PUT('/api/v1/plan', { body: { source: text } }));
      print(applied, opts.json, () =>
        applied.unchanged
          ? `No changes: version ${applied.version} is current.`
          : `Applied as version ${applied.version}.\n${formatDiff(applied.changes)}`,
      );
    });

  plan
    .command('suggest')
    .description(
      'changes the measured communication suggests (missed cadence, dead channels, unhelpful templates), each as a diff',
    )
    .option('--from <iso>', 'incidents declared from then (90 days ago by default)')
    .option('--to <iso>', 'incidents declared until then (now by default)')
    .option('--apply <id>', 'apply this suggestion as a new plan version')
    .option('--json', 'print JSON', false)
    .action(async (opts: { from?: string; to?: string; apply?: string; json: boolean }) => {
      const config = await loadCliConfig();
      const api = apiClient({ url: config.clientUrl, token: config.clientToken });
      const query = { ...(opts.from && { from: opts.from }), ...(opts.to && { to: opts.to }) };
      const suggestions = await call(api.GET('/api/v1/plan/suggestions', { params: { query } }));
      if (opts.apply === undefined) {
        print(suggestions, opts.json, () =>
          suggestions.length === 0
            ? 'No suggestions: the plan held up.'
            : suggestions.map((s) => `${s.id}: ${s.reason}\n  ${s.change}\n\n${s.diff}`).join('\n'),
        );
        return;
      }
      const chosen = suggestions.find((s) => s.id === opts.apply);
      if (!chosen) {
        throw new CliError(
          `No suggestion "${opts.apply}". Now: ${suggestions.map((s) => s.id).join(', ') || 'none'}.`,
          2,
        );
      }
      const applied = await call(api.PUT('/api/v1/plan', { body: { source: chosen.source } }));
      print(applied, opts.json, () => `Applied ${chosen.id} as version ${applied.version}.`);
    });
}
