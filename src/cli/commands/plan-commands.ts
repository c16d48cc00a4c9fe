/** `crier plan check|schema|diff|apply` and `crier init`. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { diffPlans, formatDiff, type PlanChange } from '../../plan/diff.ts';
import { initPlanText } from '../../plan/init.ts';
import { planJsonSchema } from '../../plan/json-schema.ts';
import { formatProblem, readPlan, readPlanFile } from '../../plan/load.ts';
import { apiClient, call } from '../client.ts';
import { CliError, print } from '../output.ts';

type Env = Readonly<Record<string, string | undefined>>;

const usage = `Usage:
  crier plan check [FILE] [--skip-secrets] [--json]   check a plan (default CRIER_PLAN)
  crier plan schema                                    print the plan's JSON Schema
  crier plan diff [FILE]                               what applying FILE would change
  crier plan apply [FILE]                              apply FILE on the server
  crier init [FILE] [--force]                          write a commented example plan`;

async function readOrFail(file: string): Promise<string> {
  const text = await readPlanFile(file);
  if (text === null) throw new CliError(`No plan file at ${file}. Write one with \`crier init\`.`, 2);
  return text;
}

export async function runPlanCommand(config: Config, args: string[], env: Env): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'skip-secrets': { type: 'boolean', default: false },
    },
  });
  const file = path.resolve(positionals[0] ?? config.planPath);
  switch (sub) {
    case 'check': {
      const text = await readOrFail(file);
      const result = readPlan(text, values['skip-secrets'] ? {} : { env });
      const shown = path.relative(process.cwd(), file) || file;
      if (result.ok) {
        const p = result.plan;
        print({ ok: true, file: shown, warnings: result.warnings }, values.json ?? false, () =>
          [
            ...result.warnings.map((w) => `warning: ${formatProblem(w, shown)}`),
            `${shown}: OK${result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'})` : ''}`,
            `  ${Object.keys(p.severities).length} severities, ${Object.keys(p.audiences).length} audiences, ` +
              `${Object.keys(p.channels).length} channels, ${Object.keys(p.scenarios).length} scenarios`,
          ].join('\n'),
        );
        return 0;
      }
      print({ ok: false, file: shown, problems: result.problems }, values.json ?? false, () =>
        [
          ...result.problems.map((p) => formatProblem(p, shown)),
          `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${shown}`,
        ].join('\n'),
      );
      return 1;
    }
    case 'schema':
      process.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
      return 0;
    case 'diff': {
      const text = await readOrFail(file);
      const local = readPlan(text, { check: false });
      if (!local.ok) throw new CliError(local.problems.map((p) => formatProblem(p, file)).join('\n'));
      const api = apiClient({ url: config.clientUrl, token: config.clientToken });
      const current = await call(api.GET('/api/v1/plan'));
      const changes: PlanChange[] = diffPlans(current.plan, local.plan);
      print(changes, values.json ?? false, () => formatDiff(changes));
      return 0;
    }
    case 'apply': {
      const text = await readOrFail(file);
      const api = apiClient({ url: config.clientUrl, token: config.clientToken });
      const applied = await call(api.PUT('/api/v1/plan', { body: { source: text } }));
      print(applied, values.json ?? false, () =>
        applied.unchanged
          ? `No changes: version ${applied.version} is current.`
          : `Applied as version ${applied.version}.\n${formatDiff(applied.changes)}`,
      );
      return 0;
    }
    default:
      throw new CliError(usage, 2);
  }
}

export async function runInit(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false } },
  });
  const file = path.resolve(positionals[0] ?? config.planPath);
  if (!values.force && (await readPlanFile(file)) !== null) {
    throw new CliError(`${file} exists; pass --force to overwrite it.`, 2);
  }
  await fs.writeFile(file, initPlanText, 'utf8');
  process.stdout.write(`Wrote ${file}. Check it with \`crier plan check ${positionals[0] ?? ''}\`.\n`);
  return 0;
}
