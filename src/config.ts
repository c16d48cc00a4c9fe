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

const httpUrl = z.url({ protocol: /^https?$/ });
/** A retention age in whole days; 0 keeps for ever. */
const retentionDays = z.coerce.number().int().min(0).max(36_500);

const timeZone = z.string().refine(
  (v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Europe/Paris' },
);

/** `Label=https://url,Other=https://url`: the links in the status page's header. */
const pageLinks = z.string().transform((v, ctx) => {
  const links = v.split(',').map((part) => ({ part, at: part.indexOf('=') }));
  const bad = links.find(
    ({ part, at }) =>
      at <= 0 || !part.slice(0, at).trim() || !httpUrl.safeParse(part.slice(at + 1).trim()).success,
  );
  if (bad) ctx.addIssue({ code: 'custom', message: `"${bad.part}" is not Label=https://url` });
  return links.map(({ part, at }) => ({ label: part.slice(0, at).trim(), url: part.slice(at + 1).trim() }));
});

/**
 * Which proxies' `X-Forwarded-For` to believe, as Fastify's `trustProxy`
 * takes it: `false` (the default: the client's own address counts, so a
 * client cannot pick the address rate limits and the audit log see),
 * `true`, a hop count, or a comma-separated list of addresses and CIDRs.
 */
const trustProxy = z
  .string()
  .regex(
    /^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,\s*[0-9a-fA-F.:/]+)*)$/,
    'must be true, false, a hop count or addresses/CIDRs',
  )
  .transform((v): boolean | number | string[] => {
    if (v === 'true' || v === 'false') return v === 'true';
    if (/^\d+$/.test(v)) return Number(v);
    return v.split(',').map((a) => a.trim());
  });

const commaList = (problem: (entry: string) => string | null) =>
  z.string().transform((v, ctx) => {
    const entries = v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    for (const entry of entries) {
      const message = problem(entry);
      if (message !== null) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    }
    return entries;
  });

/** `sns.*.amazonaws.com,http://127.0.0.1:4566`: host patterns (HTTPS), or whole origins for a stand-in. */
const snsHosts = commaList((entry) =>
  (entry.includes('://') && httpUrl.safeParse(entry).success) || /^[a-z0-9*-]+(\.[a-z0-9*-]+)+$/i.test(entry)
    ? null
    : `"${entry}" is neither a host name pattern nor an http(s) origin`,
);
const topicArns = commaList((arn) =>
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(arn) ? null : `"${arn}" is not an SNS topic ARN`,
);
const bucketUrl = httpUrl.refine(
  (u) => new URL(u).pathname.replace(/\//g, '') !== '',
  'must name the bucket: https://endpoint/bucket[/prefix]',
);
const previousKeys = commaList((k) => (k.length < 16 ? 'each must be 16+ characters' : null));

const Env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    CRIER_DATA_DIR: z.string().min(1).default('./data'),
    CRIER_DATABASE_URL: databaseUrl.optional(),
    CRIER_PLAN: z.string().min(1).default('./crier.yaml'),
    CRIER_PUBLIC_URL: z.url().optional(),
    CRIER_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    CRIER_SECRET_KEY_PREVIOUS: previousKeys.optional(),
    CRIER_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    CRIER_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    CRIER_ALLOW_PRIVATE_NETWORK: boolean.default(false),
    CRIER_DEMO: boolean.default(true),
    CRIER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    CRIER_URL: z.url().default('http://localhost:8080'),
    CRIER_TOKEN: z.string().optional(),
    CRIER_PAGE_NAME: z.string().trim().min(1).max(100).default('Status'),
    CRIER_PAGE_LOGO_URL: httpUrl.optional(),
    CRIER_PAGE_COLOR: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f4fd1')
      .default('#1d4ed8'),
    CRIER_PAGE_LINKS: pageLinks.optional(),
    CRIER_PAGE_TIME_ZONE: timeZone.default('UTC'),
    CRIER_EXPORT_DIR: z.string().min(1).optional(),
    CRIER_EXPORT_S3_URL: bucketUrl.optional(),
    CRIER_EXPORT_S3_REGION: z.string().min(1).default('us-east-1'),
    CRIER_EXPORT_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    CRIER_EXPORT_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    CRIER_BACKUP_DIR: z.string().min(1).optional(),
    CRIER_BACKUP_S3_URL: bucketUrl.optional(),
    CRIER_BACKUP_S3_REGION: z.string().min(1).default('us-east-1'),
    CRIER_BACKUP_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    CRIER_BACKUP_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    CRIER_BACKUP_EVERY_HOURS: z.coerce.number().min(0.01).max(8760).default(24),
    CRIER_BACKUP_KEEP: z.coerce.number().int().min(1).max(100_000).default(7),
    CRIER_WORKER: boolean.default(true),
    CRIER_WORKER_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(8_000),
    CRIER_WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    CRIER_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    CRIER_RETAIN_DELIVERIES_DAYS: retentionDays.default(90),
    CRIER_RETAIN_JOBS_DAYS: retentionDays.default(30),
    CRIER_RETAIN_ALERT_PAYLOADS_DAYS: retentionDays.default(30),
    CRIER_MAINTENANCE_REMINDER_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
    CRIER_TRUST_PROXY: trustProxy.default(false),
    CRIER_LIVE_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).optional(),
    CRIER_LIVE_MAX_TOTAL: z.coerce.number().int().min(1).max(1_000_000).optional(),
    CRIER_HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(16).max(10_000_000).optional(),
    CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(2).max(10_000_000).optional(),
    CRIER_DELIVERY_HOST_RATE: z.coerce.number().min(0).max(1_000_000).default(50),
    CRIER_OIDC_ISSUER: z.url().optional(),
    CRIER_OIDC_CLIENT_ID: z.string().min(1).optional(),
    CRIER_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    CRIER_OIDC_ROLE_CLAIM: z.string().min(1).default('groups'),
    CRIER_OIDC_ROLES: z
      .string()
      .regex(
        /^\s*[^=,]+=\s*[a-z_]+\s*(,\s*[^=,]+=\s*[a-z_]+\s*)*$/,
        'must be claim values and roles: admins=admin,comms=comms_lead',
      )
      .optional(),
    CRIER_INGEST_PAGERDUTY_SECRETS: commaList(() => null).optional(),
    CRIER_INGEST_SNS_HOSTS: snsHosts.optional(),
    CRIER_SES_SNS_TOPICS: topicArns.optional(),
    CRIER_SOFT_BOUNCE_LIMIT: z.coerce.number().int().min(1).max(100).default(3),
    CRIER_IMPORT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(2 ** 40)
      .default(64 * 2 ** 20),
  })
  .refine((e) => !e.CRIER_SECRET_KEY_PREVIOUS || e.CRIER_SECRET_KEY !== undefined, {
    path: ['CRIER_SECRET_KEY_PREVIOUS'],
    message: 'needs CRIER_SECRET_KEY: previous keys only verify, so set the new key beside them',
    when: () => true,
  })
  .refine((e) => !e.CRIER_OIDC_ISSUER === !e.CRIER_OIDC_CLIENT_ID, {
    path: ['CRIER_OIDC_CLIENT_ID'],
    message: 'CRIER_OIDC_ISSUER and CRIER_OIDC_CLIENT_ID go together',
    when: () => true,
  })
  .refine((e) => !e.CRIER_EXPORT_S3_ACCESS_KEY_ID === !e.CRIER_EXPORT_S3_SECRET_ACCESS_KEY, {
    path: ['CRIER_EXPORT_S3_ACCESS_KEY_ID'],
    message:
      'CRIER_EXPORT_S3_ACCESS_KEY_ID and CRIER_EXPORT_S3_SECRET_ACCESS_KEY go together (or leave both out to use the AWS default chain)',
    // Checked even when other variables are bad, so one start lists every problem.
    when: () => true,
  });

export interface Config {
  /** Single sign-on with OpenID Connect (src/http/console/sso.ts); unset, only passwords. */
  readonly oidc:
    | {
        readonly issuer: string;
        readonly clientId: string;
        readonly clientSecret: string | undefined;
        /** The claim whose value (a string or a list) is mapped to a role. */
        readonly roleClaim: string;
        /** Claim value → role name (checked against the roles when single sign-on starts). */
        readonly roles: Readonly<Record<string, string>>;
      }
    | undefined;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly planPath: string;
  readonly publicUrl: string;
  readonly secretKey: string | undefined;
  readonly previousSecretKeys: readonly string[];
  readonly adminToken: string | undefined;
  /** When set, /metrics (of `crier serve` and of the worker's port) answers only a request carrying it. */
  readonly metricsToken: string | undefined;
  readonly allowPrivateNetwork: boolean;
  readonly demo: boolean;
  /** Fastify's `trustProxy`: whose X-Forwarded-For to believe. */
  readonly trustProxy: boolean | number | string[];
  /** Caps on connections; unset, derived from the descriptor limit (src/http/connection-limits.ts). */
  readonly connections: {
    /** Live streams (/events) one client address (IPv6: one /64) may hold. */
    readonly livePerAddress: number | undefined;
    /** Live streams the process holds in total. */
    readonly liveTotal: number | undefined;
    /** Sockets the HTTP server holds at once. */
    readonly maxConnections: number | undefined;
    /** Sockets one client address holds at once (trusted proxies excepted). */
    readonly maxConnectionsPerAddress: number | undefined;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where CLI client commands send their requests, and with which token. */
  readonly clientUrl: string;
  readonly clientToken: string | undefined;
  /** The environment as read at start, for the plan's `env:NAME` secrets (channel credentials). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Alerts coming in (docs/ingest.md). */
  readonly ingest: {
    /** Signing secrets of PagerDuty v3 webhook subscriptions; any one may sign a request. */
    readonly pagerdutySecrets: readonly string[];
    /** Where SNS signing certificates and subscription links may come from; empty: Amazon's hosts. */
    readonly snsHosts: readonly string[];
  };
  readonly suppression: { readonly sesTopics: readonly string[]; readonly softBounceLimit: number };
  /** Run the delivery worker inside `crier serve` (`crier worker` runs one alone). */
  readonly worker: boolean;
  /** How long a worker's claim holds a job or delivery before another may take it over. */
  readonly workerLeaseMs: number;
  /** How often an idle worker looks for due work. */
  readonly workerPollMs: number;
  /** Where `crier worker` serves /metrics, /healthz and /readyz (on `host`); unset, it serves nothing. */
  readonly workerMetricsPort: number | undefined;
  /** How many days each kind of record is kept (0: for ever); docs/operations.md, retention. */
  readonly retention: {
    readonly deliveriesDays: number;
    readonly jobsDays: number;
    readonly alertPayloadsDays: number;
  };
  /** Minutes before a maintenance starts that subscribers get a reminder (0: none). */
  readonly maintenanceReminderMinutes: number;
  /**
   * Sends started per second to one host (a webhook's, a chat room's, a push service's), per
   * worker, so the public form cannot aim Crier at someone; 0: unpaced.
   */
  readonly deliveryHostRate: number;
  /** The largest subscriber CSV upload accepted, in bytes. */
  readonly importMaxBytes: number;
  /** How the public status page looks (later also from the plan's `page:` section). */
  readonly page: {
    readonly name: string;
    readonly logoUrl: string | undefined;
    readonly color: string;
    readonly links: readonly { readonly label: string; readonly url: string }[];
    readonly timeZone: string;
  };
  /** Scheduled backups, where a worker runs: to a folder, a bucket (as `export.s3`) or both; the newest `keep` kept. */
  readonly backups: {
    readonly dir: string | undefined;
    readonly s3: Config['export']['s3'];
    readonly everyMs: number;
    readonly keep: number;
  };
  /** Where every change to the public surface is also written, so it outlives the server. */
  readonly export: {
    readonly dir: string | undefined;
    readonly s3:
      | {
          readonly url: string;
          readonly region: string;
          /** Both or neither: without them, the AWS SDK's default chain finds credentials. */
          readonly accessKeyId: string | undefined;
          readonly secretAccessKey: string | undefined;
        }
      | undefined;
  };
}

/** An S3-compatible bucket at `https://endpoint/bucket[/prefix]`; without keys, the AWS default chain signs. */
function bucketOf(e: z.infer<typeof Env>, p: 'CRIER_EXPORT_S3' | 'CRIER_BACKUP_S3') {
  const url = e[`${p}_URL`];
  const [accessKeyId, secretAccessKey] = [e[`${p}_ACCESS_KEY_ID`], e[`${p}_SECRET_ACCESS_KEY`]];
  return url
    ? { url: url.replace(/\/+$/, ''), region: e[`${p}_REGION`], accessKeyId, secretAccessKey }
    : undefined;
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
    previousSecretKeys: Object.freeze(e.CRIER_SECRET_KEY_PREVIOUS ?? []),
    adminToken: e.CRIER_ADMIN_TOKEN,
    metricsToken: e.CRIER_METRICS_TOKEN,
    allowPrivateNetwork: e.CRIER_ALLOW_PRIVATE_NETWORK,
    demo: e.CRIER_DEMO,
    trustProxy: e.CRIER_TRUST_PROXY,
    connections: Object.freeze({
      livePerAddress: e.CRIER_LIVE_MAX_PER_ADDRESS,
      liveTotal: e.CRIER_LIVE_MAX_TOTAL,
      maxConnections: e.CRIER_HTTP_MAX_CONNECTIONS,
      maxConnectionsPerAddress: e.CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS,
    }),
    logLevel: e.CRIER_LOG_LEVEL,
    clientUrl: e.CRIER_URL.replace(/\/+$/, ''),
    clientToken: e.CRIER_TOKEN,
    env: Object.freeze({ ...present }),
    ingest: Object.freeze({
      pagerdutySecrets: Object.freeze(e.CRIER_INGEST_PAGERDUTY_SECRETS ?? []),
      snsHosts: Object.freeze(e.CRIER_INGEST_SNS_HOSTS ?? []),
    }),
    suppression: { sesTopics: e.CRIER_SES_SNS_TOPICS ?? [], softBounceLimit: e.CRIER_SOFT_BOUNCE_LIMIT },
    worker: e.CRIER_WORKER,
    workerLeaseMs: e.CRIER_WORKER_LEASE_MS,
    workerPollMs: e.CRIER_WORKER_POLL_MS,
    workerMetricsPort: e.CRIER_WORKER_METRICS_PORT,
    retention: Object.freeze({
      deliveriesDays: e.CRIER_RETAIN_DELIVERIES_DAYS,
      jobsDays: e.CRIER_RETAIN_JOBS_DAYS,
      alertPayloadsDays: e.CRIER_RETAIN_ALERT_PAYLOADS_DAYS,
    }),
    maintenanceReminderMinutes: e.CRIER_MAINTENANCE_REMINDER_MINUTES,
    deliveryHostRate: e.CRIER_DELIVERY_HOST_RATE,
    importMaxBytes: e.CRIER_IMPORT_MAX_BYTES,
    oidc:
      e.CRIER_OIDC_ISSUER && e.CRIER_OIDC_CLIENT_ID
        ? Object.freeze({
            issuer: e.CRIER_OIDC_ISSUER,
            clientId: e.CRIER_OIDC_CLIENT_ID,
            clientSecret: e.CRIER_OIDC_CLIENT_SECRET,
            roleClaim: e.CRIER_OIDC_ROLE_CLAIM,
            roles: Object.freeze(
              Object.fromEntries(
                (e.CRIER_OIDC_ROLES ?? '')
                  .split(',')
                  .filter((pair) => pair.includes('='))
                  .map((pair) => pair.split('=').map((x) => x.trim()) as [string, string]),
              ),
            ),
          })
        : undefined,
    page: Object.freeze({
      name: e.CRIER_PAGE_NAME,
      logoUrl: e.CRIER_PAGE_LOGO_URL,
      color: e.CRIER_PAGE_COLOR.toLowerCase(),
      links: Object.freeze(e.CRIER_PAGE_LINKS ?? []),
      timeZone: e.CRIER_PAGE_TIME_ZONE,
    }),
    backups: Object.freeze({
      dir: e.CRIER_BACKUP_DIR ? path.resolve(e.CRIER_BACKUP_DIR) : undefined,
      s3: bucketOf(e, 'CRIER_BACKUP_S3'),
      everyMs: Math.round(e.CRIER_BACKUP_EVERY_HOURS * 3_600_000),
      keep: e.CRIER_BACKUP_KEEP,
    }),
    export: Object.freeze({
      dir: e.CRIER_EXPORT_DIR ? path.resolve(e.CRIER_EXPORT_DIR) : undefined,
      s3: bucketOf(e, 'CRIER_EXPORT_S3'),
    }),
  });
}
