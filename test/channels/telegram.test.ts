/**
 * Telegram against a local stand-in for the Bot API: the documented
 * `sendMessage` request (POST /bot<token>/sendMessage, JSON with chat_id,
 * text in HTML parse mode, link previews off), text escaped as the API's
 * HTML mode requires and kept within 4,096 characters, its answers, and an
 * update published through the API posted once to the channel.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { telegram, telegramText } from '../../src/channels/telegram.ts';
import type { Message } from '../../src/channels/types.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { type Answer, type Receiver, startReceiver } from '../helpers/receiver.ts';

const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const token = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';
const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Checkout <errors> & refunds: Investigating',
  text: 'Card payments fail for "some" customers & <b>retries</b> too. Next update by 14:30 UTC.',
  url: 'https://status.example/incidents/abc?a=1&b="2"',
  manageUrl: 'https://status.example/unsubscribe/tok',
};
const sent = (id: number) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    ok: true,
    result: { message_id: id, chat: { id: -1001234567890, type: 'channel' } },
  }),
});
const refused = (status: number, description: string, parameters?: object) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: false, error_code: status, description, ...(parameters && { parameters }) }),
});

/** What a reader sees: the text with its tags parsed and its entities decoded. */
const visible = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

let stand: Receiver;
let next: Answer[] = [];
before(async () => {
  stand = await startReceiver(() => next.shift() ?? sent(1));
});
after(() => stand.close());

function channel(extra: Record<string, unknown> = {}) {
  const parsed = ChannelsSection.parse({
    news: { type: 'telegram', token, chat_id: '@acme_status', endpoint: stand.url, ...extra },
  }).news;
  assert.ok(parsed?.type === 'telegram');
  return telegram.create('news', parsed, deps);
}

test('telegram: the documented sendMessage request, escaped for HTML parse mode', async () => {
  const c = channel();
  try {
    next = [sent(42)];
    assert.deepEqual(await c.send({ contact: '@acme_status' }, message), { ok: true, providerId: '42' });
    const r = stand.requests.at(-1);
    assert.ok(r);
    assert.equal(r.method, 'POST');
    assert.equal(r.url, `/bot${token}/sendMessage`);
    assert.equal(r.headers['content-type'], 'application/json');
    const body = JSON.parse(r.body) as Record<string, unknown>;
    assert.deepEqual(body, {
      chat_id: '@acme_status',
      text:
        '<b>Checkout &lt;errors&gt; &amp; refunds: Investigating</b>\n\n' +
        'Card payments fail for "some" customers &amp; &lt;b&gt;retries&lt;/b&gt; too. Next update by 14:30 UTC.\n\n' +
        '<a href="https://status.example/incidents/abc?a=1&amp;b=&quot;2&quot;">View details</a>',
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    // Nothing the update says becomes a tag: the only tags are the title's and the link's.
    assert.deepEqual(String(body.text).match(/<\/?[a-z]+/g), ['<b', '</b', '<a', '</a']);
    // A channel's post has no one's unsubscribe link.
    assert.doesNotMatch(String(body.text), /unsubscribe/);
  } finally {
    await c.close();
  }
});

test('telegram: a long text is cut to 4,096 visible characters, keeping title and link', () => {
  const long = { ...message, text: `${'Payments & refunds <fail>. '.repeat(300)}😀😀` };
  const html = telegramText(long);
  const seen = visible(html);
  assert.ok(seen.length <= 4096, `${seen.length} characters`);
  assert.ok(seen.length > 4000);
  assert.match(seen, /^Checkout <errors> & refunds: Investigating\n\n/);
  assert.match(seen, /…\n\nView details$/);
  assert.match(html, /<a href="[^"]+">View details<\/a>$/);
  // Short enough already: untouched.
  assert.equal(visible(telegramText(message)).length < 4096, true);
  assert.doesNotMatch(telegramText(message), /…/);
});

test('telegram: rate limits and outages are retried, refusals are not', async () => {
  const c = channel({ silent: true });
  try {
    next = [refused(429, 'Too Many Requests: retry after 7', { retry_after: 7 })];
    const limited = await c.send({ contact: '@acme_status' }, message);
    assert.ok(!limited.ok && limited.retry && limited.retryAfterMs === 7_000, JSON.stringify(limited));
    assert.equal(
      (JSON.parse(stand.requests.at(-1)?.body ?? '{}') as Record<string, unknown>).disable_notification,
      true,
    );
    next = [{ status: 502, body: 'Bad Gateway' }];
    const down = await c.send({ contact: '@acme_status' }, message);
    assert.ok(!down.ok && down.retry);
    next = [refused(403, 'Forbidden: bot is not a member of the channel chat')];
    const notMember = await c.send({ contact: '@acme_status' }, message);
    assert.ok(!notMember.ok && !notMember.retry);
    assert.match(notMember.ok ? '' : notMember.reason, /HTTP 403: Forbidden: bot is not a member/);
    next = [
      refused(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: -1009876,
      }),
    ];
    const moved = await c.send({ contact: '-4567' }, message);
    assert.ok(!moved.ok && !moved.retry);
    assert.match(moved.ok ? '' : moved.reason, /set chat_id to it/);
    // The token is in the URL: it never reaches a failure's reason.
    assert.doesNotMatch(JSON.stringify([limited, down, notMember, moved]), /ABC-DEF1234/);
  } finally {
    await c.close();
  }
});

test('telegram: chat_id is a chat id or a @channelusername; a broadcast cannot be named like a subscriber kind', () => {
  const ok = (chat_id: unknown) =>
    ChannelsSection.safeParse({ news: { type: 'telegram', token: 'env:TG', chat_id } }).success;
  assert.equal(ok('@acme_status'), true);
  assert.equal(ok('-1001234567890'), true);
  assert.equal(ok(-1001234567890), true);
  assert.equal(ok('acme status'), false);
  const named = ChannelsSection.safeParse({
    slack: { type: 'telegram', token: 'env:TG', chat_id: '@acme_status' },
  });
  assert.equal(named.success, false);
  const fallback = ChannelsSection.safeParse({
    news: { type: 'telegram', token: 'env:TG', chat_id: '@acme_status', fallback: 'other' },
    other: { type: 'telegram', token: 'env:TG', chat_id: '@other_status' },
  });
  assert.equal(fallback.success, false);
});

for (const dialect of dialects) {
  test(`telegram: an update for an audience that lists the channel is posted once [${dialect.name}]`, async () => {
    const api = await startReceiver(() => sent(314));
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  telegram: { type: telegram, token: env:TELEGRAM_TOKEN, chat_id: "@acme_status", endpoint: "${api.url}" }`,
        audiences: { public: ['status-page', 'telegram'] },
        env: { TELEGRAM_TOKEN: token },
      });
      const text = 'Card payments fail for some customers. Next update by 14:30 UTC.';
      const { id, updateId } = await app.declare('Checkout <errors>', text);
      const rows = await app.settled(updateId);
      assert.equal(api.requests.length, 1);
      const r = api.requests[0];
      assert.ok(r);
      assert.equal(r.url, `/bot${token}/sendMessage`);
      const body = JSON.parse(r.body) as { chat_id: string; text: string; parse_mode: string };
      assert.equal(body.chat_id, '@acme_status');
      assert.equal(body.parse_mode, 'HTML');
      assert.match(body.text, /^<b>Checkout &lt;errors&gt;: Investigating<\/b>\n\nCard payments fail/);
      assert.match(
        body.text,
        new RegExp(`<a href="https://status\\.crier\\.test/incidents/${id}">View details</a>$`),
      );
      assert.deepEqual(
        rows.map((d) => [d.channel, d.subscriber_id, d.state, d.provider_id]),
        [['telegram', 'account:telegram', 'sent', '314']],
      );
    } finally {
      await app?.close();
      await api.close();
    }
  });
}
