/**
 * Jargon: words and shapes that belong to engineers, not customers. A
 * built-in list (root cause, latency, pods...), the plan's `internal_terms`,
 * and shapes: IP addresses, host names, stack traces, exception names,
 * error codes.
 */
interface JargonRule {
  pattern: RegExp;
  why: string;
}

const builtInTerms = [
  'root cause',
  'RCA',
  'p95',
  'p99',
  'latency',
  'OOM',
  'OOMKilled',
  'out of memory',
  'k8s',
  'kubernetes',
  'pod',
  'pods',
  'cluster',
  'shard',
  'shards',
  'replica',
  'replicas',
  'replication lag',
  'failover',
  'BGP',
  'TLS handshake',
  'load balancer',
  'load balancers',
  'hotfix',
  'upstream',
  'downstream',
  'throttled',
  'throttling',
  'race condition',
  'deadlock',
  'null pointer',
  'segfault',
  'stack trace',
  'heap',
  'garbage collection',
  'mutex',
  'cron',
  'RDS',
  'EC2',
  'availability zone',
  'DNS propagation',
  'redeploy',
  'redeployed',
  'connection pool',
  'mitigation',
  'mitigated',
  'remediation',
  'remediated',
  'postgres',
  'postgresql',
  'mysql',
  'redis',
  'kafka',
  'rabbitmq',
  'elasticsearch',
  'nginx',
  'haproxy',
  'ingress',
  'CPU',
  'memory pressure',
  'IOPS',
  'TTL',
  '5xx',
  '4xx',
  'runbook',
  'on-call',
  'canary',
  'rollout',
  'config',
  'microservice',
  'microservices',
  'endpoint',
  'endpoints',
  'backend',
  'upstream provider',
  'TLS',
  'SSL',
  'CDN',
  'IdP',
  'throughput',
  'regression',
  'asynchronous',
  'failed over',
  'fail over',
  'memory leak',
  'control plane',
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function termPattern(term: string): RegExp {
  // Short acronyms match only in capitals, so "RCA" is caught but the word "rca" in a name is not.
  const flags = term.length <= 4 && term === term.toUpperCase() && /[A-Z]/.test(term) ? '' : 'i';
  return new RegExp(`(?<![\\w-])${escapeRegExp(term)}(?![\\w-])`, flags);
}

const builtInPatterns = builtInTerms.map((t) => {
  const p = termPattern(t);
  return new RegExp(p.source, `${p.flags}g`);
});

/** The text without the built-in jargon terms: a clause about "the pods" names nothing a customer uses. */
export function withoutBuiltInJargon(text: string): string {
  return builtInPatterns.reduce((t, p) => t.replace(p, ' '), text);
}

const shapeRules: readonly JargonRule[] = [
  { pattern: /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/, why: 'an IP address' },
  {
    pattern:
      /(?<![\w:])(?=[0-9a-f:]*[a-f][0-9a-f:]*)(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b|\b[0-9a-f]{1,4}::[0-9a-f:]*/i,
    why: 'an IP address',
  },
  { pattern: /\bat [\w.$<>]+ ?\([^)]*:\d+(?::\d+)?\)/, why: 'a stack trace' },
  { pattern: /Traceback \(most recent call last\)/, why: 'a stack trace' },
  { pattern: /\b[A-Z]\w*(?:Exception|Error)\b:?/, why: 'an exception name' },
  { pattern: /\b\w+\.(?:java|py|js|ts|go|rb|php|cs|rs):\d+\b/, why: 'a source file and line' },
  {
    pattern: /\bHTTP\s*[45]\d\d\b|\b[45]\d\d (?:errors?|status|responses?|codes?)\b|\b[45]\d\ds\b/i,
    why: 'an HTTP error code',
  },
  { pattern: /\b[A-Z][A-Z0-9]*_[A-Z0-9_]{2,}\b/, why: 'an error code' },
  { pattern: /\b(?:ERR|E|ORA|SQLSTATE)[-_]?\d{3,}\b/, why: 'an error code' },
  { pattern: /\b0x[0-9a-f]{4,}\b/i, why: 'a memory address or error code' },
  { pattern: /\bSEV ?\d\b/i, why: 'an internal severity' },
];

/**
 * Shapes of a single word. Their patterns backtrack heavily on long runs of
 * dashes and dots, so they are tried word by word, and a word longer than any
 * real host name is skipped: a 100 kB body must not stall the server.
 */
const wordRules: readonly JargonRule[] = [
  {
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|corp|svc|intra)$/i,
    why: 'an internal host name',
  },
  { pattern: /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+-\d+[a-z]?$/i, why: 'a host, instance or region name' },
];
const longestWord = 253;

export interface JargonFound {
  /** The words as written. */
  match: string;
  /** What they are: "engineering jargon", "an IP address"... */
  why: string;
}

export interface JargonOptions {
  internalTerms?: readonly string[] | undefined;
  allowTerms?: readonly string[] | undefined;
}

/** Jargon found in `text`: the plan's internal terms, built-in terms, and shapes such as host names. */
export function findJargon(text: string, options: JargonOptions): JargonFound[] {
  const allowed = new Set((options.allowTerms ?? []).map((t) => t.toLowerCase()));
  const found: JargonFound[] = [];
  const seen = new Set<string>();
  const add = (match: string, why: string) => {
    const key = match.toLowerCase();
    if (seen.has(key) || allowed.has(key)) return;
    seen.add(key);
    found.push({ match, why });
  };
  for (const term of options.internalTerms ?? []) {
    const m = termPattern(term).exec(text);
    if (m) add(m[0], 'a name the plan declares internal');
  }
  for (const term of builtInTerms) {
    const m = termPattern(term).exec(text);
    if (m) add(m[0], 'engineering jargon');
  }
  // URLs are allowed (the incident link); only the text around them is checked for shapes.
  const prose = text.replace(/https?:\/\/\S+/g, ' ');
  for (const rule of shapeRules) {
    const m = rule.pattern.exec(prose);
    if (m) add(m[0].replace(/:$/, ''), rule.why);
  }
  const words = prose.split(/[\s,;:!?()"'`<>[\]{}]+/).map((w) => w.replace(/\.+$/, ''));
  for (const rule of wordRules) {
    const word = words.find((w) => w.length <= longestWord && rule.pattern.test(w));
    if (word) add(word, rule.why);
  }
  return found;
}
