/**
 * The plan's drill audience: the team's own, checked by `crier plan check`.
 * Drills never go to the public, to an audience a severity speaks to (its
 * customers would hear), or through the status page, feeds or webhooks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';
import { externalAudiences } from '../../src/services/cadence/deadlines.ts';

const base = readFileSync(new URL('../../examples/small-saas.yaml', import.meta.url), 'utf8');
const env = {
  SMTP_URL: 'smtp://localhost:2525',
  SLACK_INTERNAL_WEBHOOK: 'https://hooks.slack.example/T/B/x',
  SLACK_SUPPORT_WEBHOOK: 'https://hooks.slack.example/T/B/y',
};

/** The small SaaS plan with its audiences and drill section replaced. */
function variant(audiences: string, drill: string) {
  const source = base.replace(
    /audiences:\n {2}public: \{ channels: \[status-page, feed, email, slack\] \}\n {2}internal: \{ channels: \[slack-internal\] \}\n/,
    `audiences:\n${audiences}\n${drill}\n`,
  );
  assert.notEqual(source, base, 'the audiences were replaced');
  return readPlan(source, { env });
}

const problems = (r: ReturnType<typeof readPlan>) =>
  r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);

const audiences = `  public: { channels: [status-page, feed, email, slack] }
  internal: { channels: [slack-internal] }
  team: { channels: [email, slack-internal] }`;

test('without a drill section, drills go to the internal audience; a team audience of its own passes', () => {
  const plain = readPlan(base, { env });
  assert.ok(plain.ok);
  assert.equal(plain.plan.drill.audience, 'internal');
  const team = variant(audiences, 'drill: { audience: team }');
  assert.deepEqual(problems(team), []);
  assert.ok(team.ok);
  assert.equal(team.plan.drill.audience, 'team');
  // A severity without its own list speaks to every audience but the team's and the drill's.
  const { SEV3: _, ...rest } = team.plan.severities;
  const open = {
    ...team.plan,
    severities: { ...rest, SEV3: { ...team.plan.severities.SEV3, audiences: undefined } },
  };
  assert.deepEqual(externalAudiences(open as typeof team.plan, 'SEV3'), ['public']);
});

test('plan check refuses a drill audience customers are in, or one that hears on a public channel', () => {
  assert.deepEqual(problems(variant(audiences, 'drill: { audience: public }')), [
    'drill.audience: drills never reach the public: name the team’s audience (internal)',
  ]);
  assert.deepEqual(problems(variant(audiences, 'drill: { audience: nobody }')), [
    'drill.audience: no audience named "nobody"',
  ]);
  const spoken = readPlan(
    base
      .replace('audiences: [public, internal]\n  SEV2', 'audiences: [public, internal, team]\n  SEV2')
      .replace(
        '  internal: { channels: [slack-internal] }\n',
        `  internal: { channels: [slack-internal] }\n  team: { channels: [email] }\ndrill: { audience: team }\n`,
      ),
    { env },
  );
  assert.deepEqual(problems(spoken), [
    'drill.audience: "team" hears about SEV1 incidents, so customers may be in it: give drills an audience of the team\'s own',
  ]);
  const hooked = readPlan(
    base
      .replace(
        '  internal: { channels: [slack-internal] }\n',
        '  internal: { channels: [slack-internal, hooks] }\n',
      )
      .replace('  slack: { type: slack }\n', '  slack: { type: slack }\n  hooks: { type: webhook }\n'),
    { env },
  );
  assert.deepEqual(problems(hooked), [
    'audiences.internal.channels.1: drills go to "internal", and never to webhooks (customers\' integrations): take "hooks" out of it',
  ]);
});
