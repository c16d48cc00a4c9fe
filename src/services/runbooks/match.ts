/** Which alerts a runbook's `when:` takes, and the group an alert joins. Pure. */
import type { RunbookSpec } from '../../plan/schema.ts';

export interface MatchedAlert {
  source: string;
  severity: string | null;
  labels: Readonly<Record<string, string>>;
}

function labelMatches(value: string | undefined, wanted: RunbookSpec['when']['labels'][string]): boolean {
  if (value === undefined) return false;
  if (typeof wanted === 'string') return value === wanted;
  // Anchored, as Alertmanager's =~ is: the pattern must match the whole value.
  return new RegExp(`^(?:${wanted.pattern})$`).test(value);
}

export function runbookMatches(runbook: RunbookSpec, alert: MatchedAlert): boolean {
  const when = runbook.when;
  if (when.source !== undefined && when.source !== alert.source) return false;
  if (when.severity !== undefined) {
    const allowed = Array.isArray(when.severity) ? when.severity : [when.severity];
    if (alert.severity === null || !allowed.includes(alert.severity)) return false;
  }
  return Object.entries(when.labels).every(([name, wanted]) => labelMatches(alert.labels[name], wanted));
}

/** The alert's group in a runbook: the values of its `group_by` labels, in order. */
export function groupKey(runbook: RunbookSpec, alert: MatchedAlert): string {
  return JSON.stringify(runbook.group_by.map((label) => alert.labels[label] ?? ''));
}
