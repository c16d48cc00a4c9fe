/**
 * Words from an update cannot be turned against the reader of a message:
 * Slack's fallback text is escaped like its blocks, Mattermost's text and
 * fallback cannot mention anyone, and the HTML of an email renders the
 * body's Markdown without its HTML or unsafe links. Each through the real
 * channel, posting to a local receiver that stands in for the provider.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emailSes } from '../../src/channels/email-ses.ts';
import { mattermost } from '../../src/channels/mattermost.ts';
import { slack } from '../../src/channels/slack.ts';
import type { Message } from '../../src/channels/types.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const hostile: Message = {
  id: 'd0000000002b',
  kind: 'incident',
  title: 'Checkout <!here> errors & more',
  text: '<!channel> payments fail. @channel @all @here @alice: see [x](javascript:alert(1)) and <b>this</b>.\nMail support@acme.example, **thanks**.',
  url: 'https://status.example/incidents/abc',
};
const deps = { allowPrivateNetwork: true, userAgent: 'crier-test' };
const settings = <T>(raw: unknown) => (ChannelsSection.parse({ c: raw }) as Record<string, T>).c as T;

let stand: Receiver;
before(async () => {
  stand = await startReceiver(() => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"MessageId":"m-1"}',
  }));
});
after(() => stand.close());

async function post(
  channel: { send: (t: { contact: string }, m: Message) => Promise<unknown>; close(): Promise<void> },
  contact: string,
) {
  const result = await channel.send({ contact }, hostile);
  await channel.close();
  assert.deepEqual((result as { ok: boolean }).ok, true);
  const received = stand.requests.at(-1);
  assert.ok(received);
  return JSON.parse(received.body) as Record<string, unknown>;
}

test('Slack: the fallback text is escaped like the blocks, so <!channel> notifies nobody', async () => {
  const channel = slack.create('slack', settings({ type: 'slack', url: `${stand.url}/slack` }), deps);
  const body = (await post(channel, `${stand.url}/slack`)) as {
    text: string;
    blocks: { type: string; text?: { text: string } }[];
  };
  assert.doesNotMatch(body.text, /<!|<b>/, body.text);
  assert.match(body.text, /^Checkout &lt;!here&gt; errors &amp; more: &lt;!channel&gt; payments fail\./);
  const section = body.blocks.find((b) => b.type === 'section');
  assert.match(section?.text?.text ?? '', /^&lt;!channel&gt; payments fail\./);
});

test('Mattermost: no <!channel>, @channel, @all, @here or @name survives as a mention; emails stay whole', async () => {
  const channel = mattermost.create(
    'mm',
    settings({ type: 'mattermost', url: `${stand.url}/mattermost` }),
    deps,
  );
  const body = (await post(channel, `${stand.url}/mattermost`)) as {
    text: string;
    attachments: { fallback: string; text: string }[];
  };
  const [attachment] = body.attachments;
  assert.ok(attachment);
  for (const text of [body.text, attachment.fallback, attachment.text]) {
    assert.doesNotMatch(text, /<!/, text);
    assert.doesNotMatch(text, /(^|\s)@(channel|all|here|alice)\b/, text);
  }
  assert.equal(body.text, '#### Checkout &lt;!here&gt; errors &amp; more');
  assert.match(attachment.text, /@\u2060channel @\u2060all @\u2060here @\u2060alice:/);
  assert.match(attachment.text, /Mail support@acme\.example,/, 'an address is not a mention');
  assert.match(
    attachment.text,
    /\[View details\]\(https:\/\/status\.example\/incidents\/abc\)/,
    'links stay links',
  );
});

test('email: the HTML part renders the Markdown, without its HTML or a javascript: link', async () => {
  const channel = emailSes.create(
    'ses',
    settings({
      type: 'email-ses',
      from: 'status@example.com',
      region: 'eu-west-1',
      access_key_id: 'AKIDEXAMPLE',
      secret_access_key: 'secret',
      endpoint: stand.url,
    }),
    deps,
  );
  const body = (await post(channel, 'ann@example.com')) as {
    Content: { Simple: { Body: { Html: { Data: string }; Text: { Data: string } } } };
  };
  const html = body.Content.Simple.Body.Html.Data;
  assert.match(html, /<strong>thanks<\/strong>/);
  assert.match(html, /&lt;b&gt;this&lt;\/b&gt;/);
  assert.doesNotMatch(html, /<b>|javascript:alert\(1\)"|href="javascript/i);
  assert.match(html, /see \[x\]\(javascript:alert\(1\)\)/, 'the refused link is shown as written');
  assert.match(
    body.Content.Simple.Body.Text.Data,
    /\*\*thanks\*\*/,
    'the text part keeps the words as written',
  );
});
