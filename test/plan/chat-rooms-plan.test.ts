/**
 * `chat_room_per_incident` in the plan: only the internal audience asks for
 * rooms, and only a channel with a bot can keep them; bot settings go
 * together; the bot token and signing secret are secrets, never shown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';
import { roomChannels } from '../../src/plan/policy.ts';

const plan = (audiences: string, channels: string) => `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
${audiences}
channels:
${channels}
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

test('the internal audience keeps rooms on its channels that have a bot', () => {
  const text = plan(
    '  internal: { channels: [team, hook, mm], chat_room_per_incident: true }',
    [
      '  team: { type: slack, bot_token: env:SLACK_BOT_TOKEN, signing_secret: env:SLACK_SIGNING_SECRET }',
      '  hook: { type: slack, url: env:SLACK_HOOK }',
      '  mm: { type: mattermost, server_url: "https://chat.acme.example", bot_token: env:MM_TOKEN, team_id: t1 }',
    ].join('\n'),
  );
  const result = readPlan(text);
  assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
  assert.deepEqual(roomChannels(result.plan), ['team', 'mm']);
  assert.equal(result.plan.channels.team?.type, 'slack');
});

test('a room per incident is refused where nothing can keep it, and outside the internal audience', () => {
  assert.deepEqual(
    Object.keys(
      problemsOf(
        plan(
          '  internal: { channels: [hook], chat_room_per_incident: true }',
          '  hook: { type: slack, url: env:SLACK_HOOK }',
        ),
      ),
    ),
    ['audiences.internal.chat_room_per_incident'],
  );
  const elsewhere = problemsOf(
    plan(
      '  internal: { channels: [team] }\n  partners: { channels: [team], chat_room_per_incident: true }',
      '  team: { type: slack, bot_token: env:SLACK_BOT_TOKEN }',
    ),
  );
  assert.match(elsewhere['audiences.partners.chat_room_per_incident'] ?? '', /only the internal audience/);
});

test('bot settings go together', () => {
  const slack = problemsOf(plan('', '  team: { type: slack, signing_secret: env:SLACK_SIGNING_SECRET }'));
  assert.match(Object.values(slack).join(' '), /signing_secret needs bot_token/);
  const mm = problemsOf(plan('', '  mm: { type: mattermost, bot_token: env:MM_TOKEN }'));
  assert.match(Object.values(mm).join(' '), /bot_token needs server_url and team_id/);
  const command = problemsOf(plan('', '  mm: { type: mattermost, command_token: env:MM_CMD }'));
  assert.match(Object.values(command).join(' '), /command_token needs bot_token/);
});
