/**
 * SES v2 and SNS through the AWS SDK, against a local stand-in that checks
 * the request AWS documents (SES v2 SendEmail: REST with a JSON body; SNS
 * Publish: the query API, form-encoded) and plays back AWS's answers and
 * errors. Credentials come from the plan's keys, or, when the plan gives
 * none, from the SDK's default chain (here: the environment).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emailSes } from '../../src/channels/email-ses.ts';
import { smsSns } from '../../src/channels/sms-sns.ts';
import type { Message } from '../../src/channels/types.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { type Answer, type Received, type Receiver, startReceiver } from '../helpers/receiver.ts';

const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Checkout errors: Investigating',
  text: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  url: 'https://status.example/incidents/abc',
  manageUrl: 'https://status.example/unsubscribe/tok',
  unsubscribeUrl: 'https://status.example/unsubscribe/tok',
};
const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const settings = <T>(raw: unknown) => (ChannelsSection.parse({ c: raw }) as Record<string, T>).c as T;

let stand: Receiver;
let next: Answer[] = [];
before(async () => {
  stand = await startReceiver(() => next.shift() ?? { status: 200 });
});
after(() => stand.close());
const last = (): Received => {
  const r = stand.requests.at(-1);
  assert.ok(r, 'the stand-in received a request');
  return r;
};

/** SigV4's Authorization header: which key signed, for which day, region and service. */
function signedBy(r: Received, key: string, region: string, service: string): void {
  assert.match(
    String(r.headers.authorization),
    new RegExp(
      `^AWS4-HMAC-SHA256 Credential=${key}/\\d{8}/${region}/${service}/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
    ),
  );
  assert.match(String(r.headers['x-amz-date']), /^\d{8}T\d{6}Z$/);
}

const sesAnswer: Answer = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"MessageId":"0100018f-abc"}',
};
const snsAnswer: Answer = {
  status: 200,
  headers: { 'content-type': 'text/xml' },
  body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1</RequestId></ResponseMetadata></PublishResponse>',
};

test('SES v2 SendEmail with the plan’s keys: the documented request; throttling retried, a refusal not', async () => {
  const ses = emailSes.create(
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
  next = [sesAnswer];
  const ok = await ses.send({ contact: 'ann@example.com' }, message);
  assert.deepEqual(ok, { ok: true, providerId: '0100018f-abc' });
  const r = last();
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/v2/email/outbound-emails');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.match(String(r.headers['user-agent']), /crier-test/);
  signedBy(r, 'AKIDEXAMPLE', 'eu-west-1', 'ses');
  const body = JSON.parse(r.body) as {
    FromEmailAddress: string;
    Destination: { ToAddresses: string[] };
    Content: {
      Simple: {
        Subject: { Data: string; Charset: string };
        Body: { Text: { Data: string }; Html: { Data: string } };
        Headers: { Name: string; Value: string }[];
      };
    };
  };
  assert.equal(body.FromEmailAddress, 'status@example.com');
  assert.deepEqual(body.Destination.ToAddresses, ['ann@example.com']);
  assert.deepEqual(body.Content.Simple.Subject, { Data: message.title, Charset: 'UTF-8' });
  assert.match(body.Content.Simple.Body.Text.Data, /Card payments fail/);
  assert.match(body.Content.Simple.Body.Html.Data, /Card payments fail/);
  assert.deepEqual(
    body.Content.Simple.Headers.find((h) => h.Name === 'List-Unsubscribe-Post'),
    { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
  );

  next = [
    {
      status: 429,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
      body: '{"message":"Maximum sending rate exceeded."}',
    },
  ];
  const throttled = await ses.send({ contact: 'ann@example.com' }, message);
  assert.equal(!throttled.ok && throttled.retry, true, JSON.stringify(throttled));
  next = [
    {
      status: 400,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' },
      body: '{"message":"Email address is not verified."}',
    },
  ];
  const rejected = await ses.send({ contact: 'ann@example.com' }, message);
  assert.equal(rejected.ok, false);
  assert.equal(!rejected.ok && rejected.retry, false);
  assert.match(!rejected.ok ? rejected.reason : '', /MessageRejected: Email address is not verified/);
  next = [{ status: 503, body: '' }];
  const down = await ses.send({ contact: 'ann@example.com' }, message);
  assert.equal(!down.ok && down.retry, true);
  await ses.close();
});

test('SNS Publish to a phone number with the plan’s keys: the documented query request and XML answers', async () => {
  const sns = smsSns.create(
    'sns',
    settings({
      type: 'sms-sns',
      region: 'us-east-1',
      access_key_id: 'AKIDEXAMPLE',
      secret_access_key: 'secret',
      session_token: 'session-from-the-plan',
      endpoint: `${stand.url}/`,
      sender_id: 'ACME',
      max_segments: 1,
    }),
    deps,
  );
  next = [snsAnswer];
  const ok = await sns.send({ contact: '+14155550100' }, { ...message, text: 'x'.repeat(400) });
  assert.deepEqual(ok, { ok: true, providerId: '94f20ce6-13c5-43a0-9a9e-ca52d816e90b' });
  const r = last();
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/');
  assert.match(String(r.headers['content-type']), /^application\/x-www-form-urlencoded/);
  signedBy(r, 'AKIDEXAMPLE', 'us-east-1', 'sns');
  assert.equal(r.headers['x-amz-security-token'], 'session-from-the-plan');
  const form = new URLSearchParams(r.body);
  assert.equal(form.get('Action'), 'Publish');
  assert.equal(form.get('Version'), '2010-03-31');
  assert.equal(form.get('PhoneNumber'), '+14155550100');
  const attributes = new Map<string, string | null>();
  for (const i of [1, 2]) {
    attributes.set(
      String(form.get(`MessageAttributes.entry.${i}.Name`)),
      form.get(`MessageAttributes.entry.${i}.Value.StringValue`),
    );
    assert.equal(form.get(`MessageAttributes.entry.${i}.Value.DataType`), 'String');
  }
  assert.equal(attributes.get('AWS.SNS.SMS.SMSType'), 'Transactional');
  assert.equal(attributes.get('AWS.SNS.SMS.SenderID'), 'ACME');
  assert.ok((form.get('Message') ?? '').length <= 160, 'kept to one segment');

  next = [
    {
      status: 400,
      headers: { 'content-type': 'text/xml' },
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>',
    },
  ];
  const throttled = await sns.send({ contact: '+14155550100' }, message);
  assert.equal(!throttled.ok && throttled.retry, true, JSON.stringify(throttled));
  next = [
    {
      status: 400,
      headers: { 'content-type': 'text/xml' },
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber</Message></Error><RequestId>2</RequestId></ErrorResponse>',
    },
  ];
  const invalid = await sns.send({ contact: '+14155550100' }, message);
  assert.equal(!invalid.ok && invalid.retry, false);
  assert.match(!invalid.ok ? invalid.reason : '', /InvalidParameter/);
  await sns.close();
});

test('without keys in the plan, SES and SNS sign with the credentials the environment gives', async () => {
  const saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-the-environment';
  process.env.AWS_SESSION_TOKEN = 'token-from-the-environment';
  try {
    const ses = emailSes.create(
      'ses',
      settings({ type: 'email-ses', from: 'status@example.com', region: 'eu-west-1', endpoint: stand.url }),
      deps,
    );
    next = [sesAnswer];
    assert.equal((await ses.send({ contact: 'ann@example.com' }, message)).ok, true);
    signedBy(last(), 'AKIAFROMENVIRONMENT', 'eu-west-1', 'ses');
    assert.equal(last().headers['x-amz-security-token'], 'token-from-the-environment');
    await ses.close();

    const sns = smsSns.create(
      'sns',
      settings({ type: 'sms-sns', region: 'ap-southeast-2', endpoint: stand.url }),
      deps,
    );
    next = [snsAnswer];
    assert.equal((await sns.send({ contact: '+61491570006' }, message)).ok, true);
    signedBy(last(), 'AKIAFROMENVIRONMENT', 'ap-southeast-2', 'sns');
    await sns.close();
  } finally {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
});

test('a plan that gives one key of the pair is refused', () => {
  assert.throws(
    () =>
      settings({
        type: 'sms-sns',
        region: 'us-east-1',
        access_key_id: 'AKIDEXAMPLE',
        endpoint: stand.url,
      }),
    /access_key_id and secret_access_key go together/,
  );
});
