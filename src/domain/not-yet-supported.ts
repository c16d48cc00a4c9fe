/**
 * What the design names and Crier does not do yet, in one list. Nothing is
 * accepted and ignored: a plan that asks for one of these is refused (`crier
 * plan check`, `PUT /plan`), a stored plan version that asks for one is
 * loaded with a warning, and an API field is refused with
 * `not_supported_yet`. Each entry names the issue that will build it; that
 * issue lifts the refusal by deleting the entry.
 */

/** A plan key, by its path (`*` for any name or item); `asks` says whether a value asks for the feature. */
interface PlanKey {
  readonly path: string;
  readonly feature: string;
  readonly issue: number;
  /** The value that asks nothing (what the plan schema fills in) is accepted: it is the truth. */
  readonly asks: (value: unknown, path: readonly string[]) => boolean;
  /** What to do instead; removing the key by default. */
  readonly remedy?: (value: unknown) => string;
}

const planKeys: readonly PlanKey[] = [
  // The page and its feeds show public updates only: in another audience they would show nothing of it.
  {
    path: 'audiences.*.channels.*',
    feature: 'a status page or feed of its own for an audience other than public',
    issue: 19,
    asks: (v, path) => path[1] !== 'public' && (v === 'status-page' || v === 'feed'),
    remedy: (v) =>
      `remove "${String(v)}" from this audience's channels (the public page shows public updates only)`,
  },
];

/** Channel types the design names that Crier has no provider for. */
const channelTypes: Readonly<Record<string, { feature: string; issue: number }>> = {
  voice: { feature: 'a voice type of no provider: use voice-twilio', issue: 18 },
  'mobile-push': { feature: 'push to mobile apps', issue: 18 },
};

export interface NotYetSupported {
  /** Where in the plan, as `crier plan check` writes paths (`audiences.enterprise.private_page`). */
  path: string;
  message: string;
  issue: number;
}

function walk(
  value: unknown,
  segments: readonly string[],
  at: string[],
  found: (path: string[], v: unknown) => void,
) {
  if (segments.length === 0) {
    found(at, value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const [head, ...rest] = segments;
  for (const [key, inner] of Object.entries(value)) {
    if (head === '*' || key === head) walk(inner, rest, [...at, key], found);
  }
}

/**
 * Everything in a plan (as written, or as stored) that asks for what Crier
 * does not do yet. Works on the raw object, before or after the schema.
 */
export function findNotYetSupported(plan: unknown): NotYetSupported[] {
  const out: NotYetSupported[] = [];
  for (const key of planKeys) {
    walk(plan, key.path.split('.'), [], (path, value) => {
      if (!key.asks(value, path)) return;
      const remedy = key.remedy ? key.remedy(value) : `remove \`${path.at(-1)}\` until it is`;
      out.push({
        path: path.join('.'),
        issue: key.issue,
        message: `${key.feature} is not supported yet: ${remedy}`,
      });
    });
  }
  walk(plan, ['channels', '*', 'type'], [], (path, value) => {
    const entry = typeof value === 'string' ? channelTypes[value.toLowerCase()] : undefined;
    if (!entry) return;
    out.push({
      path: path.join('.'),
      issue: entry.issue,
      message: `channel type "${String(value)}" is not supported yet (${entry.feature}): remove this channel until it is`,
    });
  });
  return out;
}

/** The plan path of each channel whose type is not supported yet (`channels.toots`). */
export function unsupportedChannelPaths(found: readonly NotYetSupported[]): string[] {
  return found
    .filter((f) => /^channels\.[^.]+\.type$/.test(f.path))
    .map((f) => f.path.replace(/\.type$/, ''));
}

/** The whole list, for the docs test that keeps docs/plan.md in step. */
export const notYetSupportedList = {
  planKeys: planKeys.map(({ path, feature, issue }) => ({ path, feature, issue })),
  channelTypes,
};
