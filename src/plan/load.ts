/**
 * Reading the plan file (CRIER_PLAN): YAML → the Zod schema → the checks
 * that need the whole plan. Every problem names its path in the file and,
 * where the file has it, its line and column.
 */
import fs from 'node:fs/promises';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { findNotYetSupported, unsupportedChannelPaths } from '../domain/not-yet-supported.ts';
import { approvalWarnings } from './approvers.ts';
import { resolveSecrets } from './channels.ts';
import { checkPlan, type PlanProblem } from './check.ts';
import { Plan } from './schema.ts';

export type { PlanProblem } from './check.ts';

/** The parsed plan file. (Kept under this name for the channels code that reads it.) */
export const PlanFile = Plan;
export type PlanFile = Plan;

export class PlanError extends Error {
  readonly problems: readonly PlanProblem[];
  constructor(source: string, problems: readonly PlanProblem[]) {
    super(`Invalid plan ${source}:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'PlanError';
    this.problems = problems;
  }
}

export function formatProblem(p: PlanProblem, file?: string): string {
  const where = p.line === undefined ? '' : `${file ? `${file}:` : ''}${p.line}:${p.column ?? 1}: `;
  return `${where}${p.path}: ${p.message}`;
}

export type PlanResult =
  | {
      ok: true;
      plan: Plan;
      /** What the plan allows but may not mean: approvers that can run out. */
      warnings: PlanProblem[];
    }
  | { ok: false; problems: PlanProblem[] };

export interface ReadOptions {
  /** When given, every `env:NAME` secret must be set in it. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Run the whole-plan checks too (references, templates, cadence). Default true. */
  check?: boolean;
}

function issuePath(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
}

function toSegments(path: string): (string | number)[] {
  if (path === '' || path.startsWith('(')) return [];
  return path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The deepest node of the document on a path (the parent, for a key that is missing). */
function locate(root: unknown, segments: readonly (string | number)[]): Node | null {
  let node = root as Node | null;
  let found: Node | null = node;
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown } | null)?.value) === String(seg),
      );
      if (!pair) break;
      found = (pair.value as Node | null) ?? (pair.key as Node);
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      found = item;
      node = item;
    } else break;
  }
  return found;
}

/** Parses, validates and (by default) checks plan text. Never throws for a bad plan. */
export function readPlan(text: string, options: ReadOptions = {}): PlanResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '(file)',
        message: e.message.split('\n')[0] ?? e.message,
        ...at(e.pos[0]),
      })),
    };
  }
  const place = (p: { path: string; message: string }): PlanProblem => {
    const node = locate(doc.contents, toSegments(p.path));
    return { ...p, ...at(node?.range?.[0]) };
  };
  const raw: unknown = doc.toJS() ?? {};
  // What Crier does not do yet is refused by name, never accepted and ignored.
  const found = findNotYetSupported(raw);
  const notYet = found.map((f) => ({ path: f.path, message: f.message }));
  const unsupportedChannels = unsupportedChannelPaths(found);
  const parsed = Plan.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => ({ path: issuePath(i).join('.') || '(root)', message: i.message }))
      // A channel of a type not supported yet is already named above; the schema has no type to match it to.
      .filter((p) => !unsupportedChannels.some((c) => p.path === c || p.path.startsWith(`${c}.`)));
    return { ok: false, problems: inFileOrder([...notYet, ...problems].map(place)) };
  }
  const problems = [
    ...notYet,
    ...(options.check === false
      ? options.env
        ? resolveSecrets(parsed.data.channels, options.env).problems
        : []
      : checkPlan(parsed.data, options.env ? { env: options.env } : {})),
  ];
  if (problems.length > 0) return { ok: false, problems: inFileOrder(problems.map(place)) };
  const warnings = options.check === false ? [] : approvalWarnings(parsed.data);
  return { ok: true, plan: parsed.data, warnings: inFileOrder(warnings.map(place)) };
}

/** In file order, so a reader can walk down the file fixing them. */
function inFileOrder(problems: PlanProblem[]): PlanProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * Parses and validates plan text, resolving `env:` references in `channels`
 * from `env`. Throws PlanError. (The schema only: `readPlan` also checks.)
 */
export function parsePlan(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  source = 'crier.yaml',
): PlanFile {
  const result = readPlan(text, { check: false });
  if (!result.ok) throw new PlanError(source, result.problems);
  const { channels, problems } = resolveSecrets(result.plan.channels, env);
  if (problems.length > 0) throw new PlanError(source, problems);
  return { ...result.plan, channels };
}

/** The text of a plan file, or null when there is none. */
export async function readPlanFile(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Loads the plan at `file` with its channel secrets resolved; a missing file is an empty plan. */
export async function loadPlan(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<PlanFile> {
  const text = await readPlanFile(file);
  if (text === null) return Plan.parse({});
  return parsePlan(text, env, file);
}
