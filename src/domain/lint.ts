/**
 * Lint for external messages, against the anti-patterns customers suffer
 * during incidents: no word on what they experience, no word on when they
 * will hear next, engineering jargon, vague wording, hard reading, and text
 * too long for the channel. Every problem says what to change.
 */
import { type ChannelKind, type ChannelLimits, checkLength, defaultLimits } from './channel-limits.ts';
import { type IncidentStatus, isOpen } from './incidents.ts';
import { fleschKincaidGrade, wordsOf } from './readability.ts';

export const lintCodes = [
  'missing_impact',
  'missing_next_update',
  'vague',
  'jargon',
  'reading_level',
  'too_long',
] as const;
export type LintCode = (typeof lintCodes)[number];

export interface LintProblem {
  code: LintCode;
  message: string;
  /** The words that triggered it, when there are some. */
  match?: string;
  /** The channel kind or variant the problem is about, when it is about one. */
  channel?: string;
}

export interface LintOptions {
  status: IncidentStatus;
  /** Highest Flesch–Kincaid grade allowed. Default 9. */
  maxGrade?: number;
  /** Terms the plan declares internal: host and service names, code names. */
  internalTerms?: readonly string[];
  /** Built-in terms the plan allows (a product named "Cluster"). */
  allowTerms?: readonly string[];
  /** The channel the text goes out on, for its length limit. */
  kind?: ChannelKind | 'email_subject';
  limits?: ChannelLimits;
  /** The provider's own limit in characters, when the channel's module declares one. */
  maxLength?: number | null;
}

export const defaultMaxGrade = 9;

/** Below this many words the Flesch–Kincaid grade says more about one long word than about the text. */
const minWordsForGrade = 12;

/** What customers can observe: things failing, slow, late, missing, or working again. */
const impactTerms = [
  'fail(?:s|ed|ing|ures?)?',
  'errors?',
  'slow(?:er|ly|ness)?',
  'delay(?:s|ed)?',
  'late',
  'unavailable',
  'unreachable',
  'down',
  'outage',
  'offline',
  'time(?:s|d)? out',
  'timing out',
  'timeouts?',
  'unable',
  'cannot',
  "can't",
  'can not',
  "couldn't",
  'not (?:be )?(?:able|available|working|loading|load|receive|received|arrive|arriving|sent|send|delivered|processed|shown?|appear|appearing|updat(?:e|ing)|sync(?:ing)?|accessible|reachable|possible|responding|complete|completing|go through|going through)',
  'missing',
  'stuck',
  'interrupted',
  'disconnect(?:s|ed|ions?)?',
  'lost',
  'drop(?:s|ped|ping)?',
  'duplicated?',
  'duplicates',
  'incorrect',
  'wrong',
  'blank',
  'frozen',
  'crash(?:es|ing)?',
  'declined',
  'blocked',
  'sign(?:ed)? out',
  'logged out',
  'work(?:s|ing)? (?:normally|again|as expected)',
  'takes? (?:longer|much longer|up to|several|[0-9])',
  'restored',
  'back to normal',
  'available again',
  'succeed(?:s|ing)? again',
  'no longer',
];
const impactPattern = new RegExp(`\\b(?:${impactTerms.join('|')})\\b`, 'i');

/** Wording that sounds like news but tells a customer nothing. */
const vaguePatterns: readonly RegExp[] = [
  /\bexperienc\w*\s+(?:some\s+|intermittent\s+|minor\s+|technical\s+|an?\s+)?(?:issues?|problems?|difficult(?:y|ies)|disruptions?|degradation|inconvenience|hiccups?)\b/i,
  /\b(?:may|might|could) be (?:affected|impacted)\b/i,
  /\btechnical (?:issues?|difficult(?:y|ies)|problems?|glitch(?:es)?)\b/i,
  /\bservice (?:disruption|degradation|issues?)\b/i,
  /\bdegraded (?:performance|experience|service)\b/i,
  /\b(?:an|some) (?:issue|problem|incident) (?:with|affecting|impacting)\b/i,
];

/** When they will hear next, or when a fix is expected. */
const nextUpdatePatterns: readonly RegExp[] = [
  /\bnext update\b/i,
  /\b(?:another|an|further|more|the next) updates?\b[^.!?]*\b(?:by|at|in|within|before|around|no later than)\b/i,
  /\bupdates? (?:you |again |here )?(?:by|at|in|within|before|around|every)\b/i,
  /\b\d{1,2}:\d{2}\b/,
  /\b(?:by|at|before|around) \d{1,2}\s*(?:am|pm)\b/i,
  /\bwithin (?:the next |the )?(?:\d+|an?|one|two|half an)\s*(?:min|mins|minutes?|hours?|hrs?|hour)\b/i,
  /\bin (?:about |around |roughly )?(?:\d+|an?|one|two)\s*(?:min|mins|minutes?|hours?|hrs?)\b/i,
  /\b(?:expect|expected|expecting|estimate[ds]?|ETA)\b[^.!?]*\b(?:fix|fixed|resolv\w*|restor\w*|back|complete\w*|finish\w*|normal)\b/i,
  /\b(?:fix|fixed|resolv\w*|restor\w*|back to normal|complete\w*)\b[^.!?]*\b(?:by|within|before) (?:\d|the end|tomorrow|tonight|noon|midnight)/i,
];

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
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function termPattern(term: string): RegExp {
  // Short acronyms match only in capitals, so "RCA" is caught but the word "rca" in a name is not.
  const flags = term.length <= 4 && term === term.toUpperCase() && /[A-Z]/.test(term) ? '' : 'i';
  return new RegExp(`(?<![\\w-])${escapeRegExp(term)}(?![\\w-])`, flags);
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
    pattern: /\bHTTP\s*[45]\d\d\b|\b[45]\d\d (?:errors?|status|responses?|codes?)\b/i,
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

function findJargon(text: string, options: LintOptions): LintProblem[] {
  const allowed = new Set((options.allowTerms ?? []).map((t) => t.toLowerCase()));
  const found: LintProblem[] = [];
  const seen = new Set<string>();
  const add = (match: string, why: string) => {
    const key = match.toLowerCase();
    if (seen.has(key) || allowed.has(key)) return;
    seen.add(key);
    found.push({
      code: 'jargon',
      match,
      message: `"${match}" is ${why}; say what customers notice instead, in their words.`,
    });
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

/** Lints one rendered message. An empty list means it may go out. */
export function lintMessage(text: string, options: LintOptions): LintProblem[] {
  const problems: LintProblem[] = [];
  const subject = options.kind === 'email_subject';
  const open = isOpen(options.status);

  if (!subject && open) {
    const hasImpact = impactPattern.test(text);
    const vague = vaguePatterns.map((p) => p.exec(text)).find((m) => m !== null);
    if (vague && !hasImpact) {
      problems.push({
        code: 'vague',
        match: vague[0],
        message: `"${vague[0]}" is vague: say what fails or is slow, and for whom.`,
      });
    }
    if (!hasImpact) {
      problems.push({
        code: 'missing_impact',
        message:
          'The message does not say what customers experience. Say what fails, is slow or is unavailable, and for whom (for example: "Card payments fail for some customers in Europe").',
      });
    }
    if (!nextUpdatePatterns.some((p) => p.test(text))) {
      problems.push({
        code: 'missing_next_update',
        message:
          'The message does not say when customers will hear next or when a fix is expected. Add the next update time (for example: "Next update by 14:30 CET").',
      });
    }
  }

  problems.push(...findJargon(text, options));

  const maxGrade = options.maxGrade ?? defaultMaxGrade;
  if (!subject && wordsOf(text).length >= minWordsForGrade) {
    const grade = fleschKincaidGrade(text);
    if (grade > maxGrade) {
      problems.push({
        code: 'reading_level',
        match: String(grade),
        message: `The reading level is grade ${grade}, above the plan's limit of ${maxGrade}. Use shorter sentences and plainer words.`,
      });
    }
  }

  if (options.kind) {
    const check = checkLength(options.kind, text, options.limits ?? defaultLimits, options.maxLength ?? null);
    if (!check.ok) {
      problems.push({
        code: 'too_long',
        channel: options.kind,
        match: check.unit === 'segments' ? `${check.segments} segments` : `${check.length} characters`,
        message:
          check.unit === 'segments'
            ? `The SMS takes ${check.segments} segments (${check.encoding}); the limit is ${check.limit}. Shorten it.`
            : `The ${options.kind.replace('_', ' ')} text is ${check.length} characters; the limit is ${check.limit}. Shorten it.`,
      });
    }
  }
  return problems;
}
