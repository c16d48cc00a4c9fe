/**
 * The one list of what Crier does not do yet: every plan key and channel
 * type in it is refused by `crier plan check` with "not supported yet",
 * named by its path; what asks for nothing is accepted; the JSON Schema does
 * not offer the keys; docs/plan.md names each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { channelTypes } from '../../src/channels/registry.ts';
import { findNotYetSupported, notYetSupportedList } from '../../src/domain/not-yet-supported.ts';
import { planJsonSchema } from '../../src/plan/json-schema.ts';
import { readPlan } from '../../src/plan/load.ts';

const base = `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public, enterprise] }
audiences:
  public: { channels: [status-page, webhook] }
  enterprise: { channels: [webhook] }
channels:
  webhook: { type: webhook }
scenarios:
  down:
    severity: SEV1
    templates:
      investigating: "Sign-in fails for every customer. Next update by {{ next_update_at }}."
      resolved: "Sign-in works again for every customer."
`;

function problemsOf(text: string): Record<string, string> {
  const result = readPlan(text);
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

test('the base plan passes, so each case below fails for what it adds', () => {
  assert.deepEqual(problemsOf(base), {});
});

test('every channel type the design names but Crier lacks is refused by name', () => {
  // A provider module that lands for one of them takes it off the list (and this catches it if not).
  const both = Object.keys(notYetSupportedList.channelTypes).filter((t) =>
    (channelTypes as readonly string[]).includes(t),
  );
  assert.deepEqual(both, []);
  for (const type of Object.keys(notYetSupportedList.channelTypes)) {
    const text = base.replace(
      'channels:\n  webhook:',
      `channels:\n  other: { type: ${type}, token: x }\n  webhook:`,
    );
    assert.deepEqual(Object.keys(problemsOf(text)), ['channels.other.type'], type);
    assert.match(
      problemsOf(text)['channels.other.type'] ?? '',
      new RegExp(`channel type "${type}" is not supported yet`),
    );
  }
  // A type no one has heard of is still the schema's plain "invalid" error, not "not supported yet".
  const unknown = problemsOf(base.replace('  webhook: { type: webhook }', '  webhook: { type: pigeon }'));
  assert.doesNotMatch(Object.values(unknown).join(' '), /not supported yet/);
  assert.ok(Object.keys(unknown).length > 0);
});

test('each plan key that asks for what Crier does not do is refused; the value that asks nothing passes', () => {
  const cases: [string, string, string][] = [
    [
      '  enterprise: { channels: [webhook] }',
      '  enterprise: { channels: [webhook, status-page] }',
      'audiences.enterprise.channels.1',
    ],
    [
      '  enterprise: { channels: [webhook] }',
      '  enterprise: { channels: [feed] }',
      'audiences.enterprise.channels.0',
    ],
  ];
  for (const [from, to, path] of cases) {
    const text = base.replace(from, to);
    assert.notEqual(text, base, path);
    const problems = problemsOf(text);
    assert.deepEqual(Object.keys(problems), [path], path);
    assert.match(problems[path] ?? '', / is not supported yet: /, path);
  }
  const honest = base
    .replace(
      '  enterprise: { channels: [webhook] }',
      '  enterprise: { channels: [webhook], private_page: false, chat_room_per_incident: false }',
    )
    .concat('runbooks: []\n');
  assert.deepEqual(problemsOf(honest), {});
});

test('a stored plan (defaults filled in) asks for nothing unless it says so', () => {
  const stored = {
    audiences: { public: { channels: ['status-page'], private_page: false, chat_room_per_incident: false } },
    runbooks: [],
  };
  assert.deepEqual(findNotYetSupported(stored), []);
  const asking = {
    ...stored,
    audiences: { vip: { channels: ['email', 'feed'], private_page: true, chat_room_per_incident: true } },
  };
  assert.deepEqual(
    findNotYetSupported(asking).map((f) => [f.path, f.issue]),
    [['audiences.vip.channels.1', 19]],
  );
});

test('the JSON Schema offers what is built', () => {
  const schema = JSON.stringify(planJsonSchema());
  assert.ok(schema.includes('"open_chat_room"'), 'the runbook step is offered, now that it runs');
  assert.ok(schema.includes('"sms_segments"'), 'the rest of lint.limits is still there');
  assert.ok(schema.includes('"social"'), 'the social variant and limit are offered, now that Mastodon posts');
});

test('docs/plan.md names every entry of the list', () => {
  const doc = readFileSync(new URL('../../docs/plan.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Not supported yet'));
  assert.ok(section.length > 20, 'docs/plan.md has a "Not supported yet" section');
  for (const key of notYetSupportedList.planKeys) assert.ok(section.includes(`\`${key.path}\``), key.path);
  for (const type of Object.keys(notYetSupportedList.channelTypes))
    assert.ok(section.includes(`\`${type}\``), type);
});
