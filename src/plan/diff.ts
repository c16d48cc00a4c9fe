/** What changes between two plans, path by path, for `crier plan diff` and each applied version. */

export interface PlanChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Changes from `before` to `after`. Arrays of scalars compare whole; objects compare key by key. */
export function diffPlans(before: unknown, after: unknown, path = ''): PlanChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = path === '' ? k : `${path}.${k}`;
      if (!(k in before))
        return after[k] === undefined ? [] : [{ path: p, kind: 'added' as const, after: after[k] }];
      if (!(k in after))
        return before[k] === undefined ? [] : [{ path: p, kind: 'removed' as const, before: before[k] }];
      return diffPlans(before[k], after[k], p);
    });
  }
  if (Array.isArray(before) && Array.isArray(after) && before.some(isObject) && after.some(isObject)) {
    const n = Math.max(before.length, after.length);
    const changes: PlanChange[] = [];
    for (let i = 0; i < n; i++) {
      const p = `${path}.${i}`;
      if (i >= before.length) changes.push({ path: p, kind: 'added', after: after[i] });
      else if (i >= after.length) changes.push({ path: p, kind: 'removed', before: before[i] });
      else changes.push(...diffPlans(before[i], after[i], p));
    }
    return changes;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '(root)', kind: 'changed', before, after }];
}

/** `+ path: value`, `- path: value`, `~ path: before → after`, one per line. */
export function formatDiff(changes: readonly PlanChange[]): string {
  if (changes.length === 0) return 'No changes.';
  const show = (v: unknown) => {
    const s = JSON.stringify(v);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  };
  return changes
    .map((c) => {
      if (c.kind === 'added') return `+ ${c.path}: ${show(c.after)}`;
      if (c.kind === 'removed') return `- ${c.path}: ${show(c.before)}`;
      return `~ ${c.path}: ${show(c.before)} → ${show(c.after)}`;
    })
    .join('\n');
}
