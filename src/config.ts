/**
 * The one place that reads the environment. Every variable is parsed and
 * checked here, once; a bad start lists every problem at once.
 */
import path from 'node:path';
import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const databaseUrl = z
  .string()
  .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
    message: 'must start with sqlite: or postgres://',
  });

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  CRIER_DATA_DIR: z.string().min(1).default('./data'),
  CRIER_DATABASE_URL: databaseUrl.optional(),
  CRIER_PLAN: z.string().min(1).default('./crier.yaml'),
  CRIER_PUBLIC_URL: z.url().optional(),
  CRIER_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  CRIER_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CRIER_ALLOW_PRIVATE_NETWORK: boolean.default(false),
  CRIER_DEMO: boolean.default(true),
  CRIER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CRIER_URL: z.url().default('http://localhost:8080'),
  CRIER_TOKEN: z.string().optional(),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly planPath: string;
  readonly publicUrl: string;
  readonly secretKey: string | undefined;
  readonly adminToken: string | undefined;
  readonly allowPrivateNetwork: boolean;
  readonly demo: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where CLI client commands send their requests, and with which token. */
  readonly clientUrl: string;
  readonly clientToken: string | undefined;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads the configuration from an environment (process.env by default). Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as shells and compose files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.CRIER_DATA_DIR);
  const port = e.PORT;
  return Object.freeze({
    port,
    host: e.HOST,
    dataDir,
    databaseUrl: e.CRIER_DATABASE_URL ?? `sqlite:${path.join(dataDir, 'crier.db')}`,
    planPath: path.resolve(e.CRIER_PLAN),
    publicUrl: (e.CRIER_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    secretKey: e.CRIER_SECRET_KEY,
    adminToken: e.CRIER_ADMIN_TOKEN,
    allowPrivateNetwork: e.CRIER_ALLOW_PRIVATE_NETWORK,
    demo: e.CRIER_DEMO,
    logLevel: e.CRIER_LOG_LEVEL,
    clientUrl: e.CRIER_URL.replace(/\/+$/, ''),
    clientToken: e.CRIER_TOKEN,
  });
}
