/**
 * Chat-ops requests are the provider's own or nothing: Slack's v0 signature
 * (HMAC-SHA256 of `v0:timestamp:body` with the signing secret, within five
 * minutes, compared in constant time) and Mattermost's command token; and
 * the Web API's answers become retryable or final failures as the outbox
 * needs them.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { verifyMattermost } from '../../src/channels/mattermost-rooms.ts';
import { slackRooms, verifySlack } from '../../src/channels/slack-rooms.ts';
import { type SlackStand, startSlackStand } from '../helpers/chat-stand.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body =
  'token=x&team_id=T1&user_id=U1&command=%2Fcrier&text=status&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1';
const now = 1_700_000_000_000;
const ts = String(now / 1000);
/** Computed as Slack's documentation says, independently of the code under test. */
const signed = (t: string, b: string) =>
  `v0=${createHmac('sha256', secret).update(`v0:${t}:${b}`).digest('hex')}`;
const headers = (t: string, sig: string) => ({ 'x-slack-request-timestamp': t, 'x-slack-signature': sig });

test('a Slack request signed with the signing secret within five minutes is verified', () => {
  assert.equal(verifySlack(secret, { headers: headers(ts, signed(ts, body)), body }, now), null);
  assert.equal(verifySlack(secret, { headers: headers(ts, signed(ts, body)), body }, now + 299_000), null);
});

test('unsigned, wrongly signed, altered and stale Slack requests are refused', () => {
  assert.match(verifySlack(secret, { headers: {}, body }, now) ?? '', /not signed/);
  assert.match(verifySlack(secret, { headers: headers(ts, 'v0=00'), body }, now) ?? '', /does not match/);
  assert.match(
    verifySlack(
      secret,
      { headers: headers(ts, signed(ts, body)), body: body.replace('status', 'resolve') },
      now,
    ) ?? '',
    /does not match/,
  );
  const other = `v0=${createHmac('sha256', 'another-secret').update(`v0:${ts}:${body}`).digest('hex')}`;
  assert.match(verifySlack(secret, { headers: headers(ts, other), body }, now) ?? '', /does not match/);
  assert.match(
    verifySlack(secret, { headers: headers(ts, signed(ts, body)), body }, now + 301_000) ?? '',
    /too old/,
  );
  const future = String(now / 1000 + 400);
  assert.match(
    verifySlack(secret, { headers: headers(future, signed(future, body)), body }, now) ?? '',
    /too old/,
  );
  assert.match(
    verifySlack(secret, { headers: headers('soon', signed('soon', body)), body }, now) ?? '',
    /not a number/,
  );
});

test("Mattermost's command token, in the Authorization header or the form", () => {
  const form = 'token=mm-cmd-token&user_id=u1&command=%2Fcrier&text=status';
  assert.equal(verifyMattermost('mm-cmd-token', { headers: {}, body: form }), null);
  assert.equal(
    verifyMattermost('mm-cmd-token', { headers: { authorization: 'Token mm-cmd-token' }, body: 'x=1' }),
    null,
  );
  assert.match(verifyMattermost('mm-cmd-token', { headers: {}, body: 'user_id=u1' }) ?? '', /no token/);
  assert.match(
    verifyMattermost('mm-cmd-token', { headers: {}, body: 'token=guess' }) ?? '',
    /does not match/,
  );
  assert.match(
    verifyMattermost('mm-cmd-token', { headers: { authorization: 'Token guess' }, body: form }) ?? '',
    /does not match/,
  );
});

let stand: SlackStand;
before(async () => {
  stand = await startSlackStand();
});
after(() => stand.close());

const deps = { allowPrivateNetwork: true, userAgent: 'crier-test' };

test("the Web API's errors: transient ones retried (with Retry-After), others final", async () => {
  const { rooms } = slackRooms(
    { bot_token: 'xoxb-test-token', api_url: stand.apiUrl, archive_after_days: 7 },
    deps,
  );
  stand.failNext.set('conversations.create', 'name_taken');
  assert.deepEqual(await rooms.create('inc-x', 'X'), {
    ok: false,
    retry: false,
    reason: 'Slack: name_taken',
  });
  stand.failNext.set('conversations.create', 'internal_error');
  assert.deepEqual(await rooms.create('inc-x', 'X'), {
    ok: false,
    retry: true,
    reason: 'Slack: internal_error',
  });
  stand.failNext.set('chat.postMessage', { status: 429, retryAfter: '7' });
  const limited = await rooms.post('C1', { title: 't', text: 'x' });
  assert.deepEqual(limited, { ok: false, retry: true, reason: 'Slack: rate limited', retryAfterMs: 7000 });
  stand.failNext.set('chat.postMessage', { status: 503 });
  const down = await rooms.post('C1', { title: 't', text: 'x' });
  assert.equal(down.ok, false);
  assert.equal(!down.ok && down.retry, true);
  // Someone not on Slack is nobody to invite, not a failure; an archived room stays archived.
  assert.deepEqual(await rooms.userByEmail('nobody@crier.test'), { ok: true, value: null });
  stand.failNext.set('conversations.archive', 'already_archived');
  assert.deepEqual(await rooms.archive('C1'), { ok: true, value: null });
  const badToken = slackRooms(
    { bot_token: 'xoxb-wrong', api_url: stand.apiUrl, archive_after_days: 7 },
    deps,
  ).rooms;
  assert.deepEqual(await badToken.create('inc-y', 'Y'), {
    ok: false,
    retry: false,
    reason: 'Slack: invalid_auth',
  });
});

test('an approval request carries Approve and Reject buttons where clicks can be verified', async () => {
  stand.reset();
  const plain = slackRooms(
    { bot_token: 'xoxb-test-token', api_url: stand.apiUrl, archive_after_days: 7 },
    deps,
  );
  await plain.rooms.post('C1', { title: 'Approval needed', text: 'Words', decide: 'inc1:upd1' });
  const unsigned = stand.calls.at(-1)?.args.blocks as { type: string }[];
  assert.deepEqual(
    unsigned.map((b) => b.type),
    ['section'],
    'no buttons without a signing secret to verify their clicks',
  );
  const { rooms } = slackRooms(
    { bot_token: 'xoxb-test-token', signing_secret: secret, api_url: stand.apiUrl, archive_after_days: 7 },
    deps,
  );
  const posted = await rooms.post('C1', {
    title: 'Approval needed',
    text: 'Words <!channel>',
    decide: 'inc1:upd1',
  });
  assert.deepEqual(posted, { ok: true, value: null });
  const call = stand.calls.at(-1);
  assert.equal(call?.method, 'chat.postMessage');
  assert.equal(call?.args.text, 'Approval needed\nWords &lt;!channel&gt;');
  const blocks = call?.args.blocks as {
    type: string;
    elements?: { action_id: string; value: string; style: string }[];
  }[];
  const actions = blocks.find((b) => b.type === 'actions');
  assert.deepEqual(
    actions?.elements?.map((e) => [e.action_id, e.value, e.style]),
    [
      ['crier_approve', 'inc1:upd1', 'primary'],
      ['crier_reject', 'inc1:upd1', 'danger'],
    ],
  );
});
