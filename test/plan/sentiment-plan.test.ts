/**
 * The plan's `sentiment` section: terms, the listening accounts (only the
 * plan's mastodon, bluesky and x channels can listen), the threshold, how
 * often and how long; `crier plan check` names each wrong value by path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';

const plan = (sentiment: string) => `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
channels:
  toots: { type: mastodon, server: https://mastodon.example, token: env:MASTODON_TOKEN }
  sky: { type: bluesky, identifier: acme.bsky.social, app_password: env:BLUESKY_PASSWORD }
  hook: { type: slack, url: env:SLACK_HOOK }
${sentiment}
`;

function problemsOf(text: string): Record<string, string> {
  const result = readPlan(text);
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

test('a sentiment watch with its defaults', () => {
  const result = readPlan(
    plan('sentiment: { terms: [Acme Cloud, acmecloud], accounts: [toots, sky], negative_threshold: 20 }'),
  );
  assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
  assert.deepEqual(result.plan.sentiment, {
    terms: ['Acme Cloud', 'acmecloud'],
    accounts: ['toots', 'sky'],
    negative_threshold: 20,
    every: '1m',
    retention_days: 30,
  });
});

test('plan check names an account that is missing or cannot listen, and each bad value', () => {
  assert.deepEqual(
    problemsOf(plan('sentiment: { terms: [Acme], accounts: [toots, hook, gone], negative_threshold: 5 }')),
    {
      'sentiment.accounts.1': '"hook" is a slack channel, which cannot listen: use mastodon, bluesky or x',
      'sentiment.accounts.2': 'no channel named "gone" in the plan',
    },
  );
  const wrong = problemsOf(
    plan(
      'sentiment: { terms: [], accounts: [toots], negative_threshold: 0, every: soon, retention_days: 0 }',
    ),
  );
  assert.deepEqual(Object.keys(wrong).sort(), [
    'sentiment.every',
    'sentiment.negative_threshold',
    'sentiment.retention_days',
    'sentiment.terms',
  ]);
  assert.match(
    problemsOf(plan('sentiment: { terms: [Acme], accounts: [toots] }'))['sentiment.negative_threshold'] ?? '',
    /./,
  );
});
