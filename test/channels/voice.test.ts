/**
 * Voice calls through Twilio against a local stand-in: the exact request
 * Twilio documents for creating a call (form-encoded To, From and Twiml,
 * basic auth), the TwiML that says the text twice in the message's
 * language, and Twilio's errors (429 retried, an invalid number final).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Message } from '../../src/channels/types.ts';
import { voiceText, voiceTwiml } from '../../src/channels/voice-text.ts';
import { voiceTwilio } from '../../src/channels/voice-twilio.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { readPlan } from '../../src/plan/load.ts';
import { type Answer, type Receiver, startReceiver } from '../helpers/receiver.ts';

const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Checkout errors: Investigating',
  text: 'Card payments fail for some customers & <retries> "too". Next update by 14:30 UTC.',
  url: 'https://status.example/incidents/abc',
  manageUrl: 'https://status.example/unsubscribe/tok',
};
const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const settings = <T>(raw: unknown) => (ChannelsSection.parse({ c: raw }) as Record<string, T>).c as T;

let stand: Receiver;
let next: Answer[] = [];
before(async () => {
  stand = await startReceiver(() => next.shift() ?? { status: 201, body: '{"sid":"CA123"}' });
});
after(() => stand.close());

const channel = () =>
  voiceTwilio.create(
    'voice',
    settings({ type: 'voice-twilio', account: 'AC1', token: 'tok', from: '+15550100', endpoint: stand.url }),
    deps,
  );

test('a call is the request Twilio documents, its TwiML saying the text twice, escaped', async () => {
  const voice = channel();
  const sent = await voice.send({ contact: '+14155550100' }, message);
  assert.deepEqual(sent, { ok: true, providerId: 'CA123' });
  const r = stand.requests.at(-1);
  assert.ok(r);
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/2010-04-01/Accounts/AC1/Calls.json');
  assert.equal(r.headers.authorization, `Basic ${Buffer.from('AC1:tok').toString('base64')}`);
  assert.equal(r.headers['content-type'], 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(r.body);
  assert.deepEqual([...form.keys()], ['To', 'From', 'Twiml']);
  assert.equal(form.get('To'), '+14155550100');
  assert.equal(form.get('From'), '+15550100');
  const said =
    'Checkout errors: Investigating. Card payments fail for some customers &amp; &lt;retries&gt; &quot;too&quot;. Next update by 14:30 UTC.';
  assert.equal(
    form.get('Twiml'),
    '<?xml version="1.0" encoding="UTF-8"?><Response>' +
      `<Say language="en-US">${said}</Say>` +
      '<Gather numDigits="1" timeout="5"><Say language="en-US">Press 1 to hear it again.</Say></Gather>' +
      `<Say language="en-US">${said}</Say></Response>`,
  );
  assert.doesNotMatch(form.get('Twiml') ?? '', /https:/, 'no link is read out');
  await voice.close();
});

test('the call speaks the language the message is in; a drill says it is one', () => {
  const twiml = voiceTwiml({
    ...message,
    title: 'Paiements',
    text: 'Les paiements échouent.',
    language: 'fr',
  });
  assert.equal(
    (twiml.match(/<Say language="fr-FR">Paiements\. Les paiements échouent\.<\/Say>/g) ?? []).length,
    2,
  );
  assert.match(voiceText({ ...message, drill: true }), /^This is a drill\. Checkout errors/);
});

test('429 is retried after Retry-After; 21211 (not a valid number) is final and ends the subscription', async () => {
  const voice = channel();
  next = [{ status: 429, headers: { 'retry-after': '7' }, body: '{"code":20429,"status":429}' }];
  const busy = await voice.send({ contact: '+14155550100' }, message);
  assert.deepEqual(busy.ok ? null : [busy.retry, busy.retryAfterMs, busy.gone], [true, 7000, undefined]);
  next = [{ status: 503, body: '' }];
  const down = await voice.send({ contact: '+14155550100' }, message);
  assert.equal(!down.ok && down.retry, true);
  next = [{ status: 400, body: '{"code":21211,"message":"Invalid \'To\' Phone Number","status":400}' }];
  const invalid = await voice.send({ contact: '+1415555' }, message);
  assert.deepEqual(invalid.ok ? null : [invalid.retry, invalid.gone], [false, true]);
  next = [{ status: 401, body: '{"code":20003,"message":"Authenticate","status":401}' }];
  const refused = await voice.send({ contact: '+14155550100' }, message);
  assert.deepEqual(refused.ok ? null : [refused.retry, refused.gone], [false, undefined]);
  await voice.close();
});

test('plan check accepts a voice-twilio channel and names its missing settings', () => {
  const plan = (channel: string) => `
page: { name: Acme, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sms, voice] }
channels:
  sms: { type: sms-twilio, account: AC1, token: t, from: "+15550100" }
${channel}
scenarios:
  down:
    severity: SEV1
    templates:
      investigating: "Sign-in fails for every customer. Next update by {{ next_update_at }}."
      resolved: "Sign-in works again for every customer."
`;
  const ok = readPlan(plan('  voice: { type: voice-twilio, account: AC1, token: t, from: "+15550100" }'));
  assert.deepEqual(ok.ok ? [] : ok.problems, []);
  const missing = readPlan(plan('  voice: { type: voice-twilio, account: AC1, token: t }'));
  assert.deepEqual(missing.ok ? [] : missing.problems.map((p) => p.path), ['channels.voice.from']);
  const neutral = readPlan(plan('  voice: { type: voice }'));
  assert.match(
    neutral.ok ? '' : (neutral.problems[0]?.message ?? ''),
    /"voice" is not supported yet.*voice-twilio/,
  );
});
