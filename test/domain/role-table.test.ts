/**
 * The README's role table is the law: this reads it and holds the permission
 * table the services check (src/domain/permissions.ts) to it, mark for mark.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type Action, actions, can, type Role, roles } from '../../src/domain/permissions.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The table under "### Roles": its role columns, and each row's permission and marks. */
function roleTable(): { columns: string[]; rows: Map<string, boolean[]> } {
  const section = readme.slice(readme.indexOf('### Roles'));
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const [header, , ...body] = lines;
  assert.ok(header, 'the README has a role table under "### Roles"');
  const columns = cells(header).slice(1);
  const rows = new Map<string, boolean[]>();
  for (const line of body) {
    const [what = '', ...marks] = cells(line);
    const action = /\(`([a-z_.]+)`\)$/.exec(what)?.[1];
    assert.ok(action, `a row that names no permission: ${what}`);
    assert.ok(!rows.has(action), `${action} has two rows`);
    for (const m of marks)
      assert.ok(m === '✓' || m === '', `${action}: a mark that is neither ✓ nor empty: ${m}`);
    rows.set(
      action,
      marks.map((m) => m === '✓'),
    );
  }
  return { columns, rows };
}

test('the README role table has a column per role and a row per permission', () => {
  const { columns, rows } = roleTable();
  assert.deepEqual(columns, [...roles]);
  assert.deepEqual([...rows.keys()].sort(), [...actions].sort());
});

test('every role may do exactly what the README marks, no more', () => {
  const { columns, rows } = roleTable();
  for (const [action, marks] of rows) {
    columns.forEach((role, i) => {
      assert.equal(can(role as Role, action as Action), marks[i], `${role} × ${action}`);
    });
  }
});

test('responders move components but do not manage them; only leads resolve; incident leads see counts, not contacts', () => {
  assert.ok(can('responder', 'component.status'));
  assert.ok(!can('responder', 'component.manage'));
  assert.ok(!can('responder', 'incident.resolve'));
  assert.ok(!can('support_lead', 'incident.resolve'));
  assert.ok(!can('support_lead', 'component.status'));
  assert.ok(!can('incident_lead', 'subscriber.read'));
  for (const role of ['comms_lead', 'support_lead', 'admin'] as const)
    assert.ok(can(role, 'subscriber.read'));
});
