/**
 * Bluesky through @atproto/api against a local stand-in for a PDS: the XRPC
 * requests the library makes (POST /xrpc/com.atproto.server.createSession
 * with the app password; POST /xrpc/com.atproto.repo.createRecord with the
 * session's bearer token and an `app.bsky.feed.post` record: text within 300
 * graphemes, `langs`, a link facet at the link's UTF-8 byte offsets, reply
 * refs `root` and `parent`), its documented answers and errors (429 with
 * `ratelimit-reset`, 401 for a wrong app password, ExpiredToken refreshed
 * through refreshSession and getSession),
 * and an incident's updates, published through the API, becoming one thread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bluesky } from '../../src/channels/bluesky.ts';
import type { Message } from '../../src/channels/types.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { readPlan } from '../../src/plan/load.ts';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { type Answer, type Received, type Receiver, startReceiver } from '../helpers/receiver.ts';

const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
/** Content ids as a PDS gives them (CIDv1, dag-cbor, sha-256). */
const cids = [
  'bafyreidwslb22nkaxoadyaqlhlxgntmiq4jdenhkbrxhcq6avxlt75br5u',
  'bafyreib7ytgp45cyodrmbwm7ohzq74dfnsg63va4yhl5hu3wwdn6nbpc6m',
  'bafyreielloo3bqj5wjbfnsbjvi3evkimnuxlummlsizkjk4tco4vju2vl4',
];
const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Paiements par carte : incident',
  text: 'Les paiements par carte échouent pour certains clients 💳. Prochaine mise à jour à 14 h 30.',
  status: 'investigating',
  impact: 'critical',
  url: 'https://status.example/incidents/abc',
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
/** createSession's documented output. */
const sessionAnswer = (access = 'access-1') =>
  json(200, {
    accessJwt: access,
    refreshJwt: 'refresh-1',
    handle: 'acme.bsky.social',
    did,
    active: true,
  });
let posted = 0;
/** createRecord's documented output: the record's AT URI and CID. */
const recordAnswer = () => {
  const n = posted++;
  return json(200, {
    uri: `at://${did}/app.bsky.feed.post/3l${String(n).padStart(11, 'a')}`,
    cid: cids[n % cids.length],
    validationStatus: 'valid',
  });
};

/** A PDS stand-in: answers by method, and `next` overrides a createRecord's answer. */
function pds(next: Answer[] = []) {
  return (r: Received): Answer => {
    if (r.url === '/xrpc/com.atproto.server.createSession') return sessionAnswer();
    if (r.url === '/xrpc/com.atproto.server.refreshSession') return sessionAnswer('access-2');
    if (r.url === '/xrpc/com.atproto.server.getSession')
      return json(200, { handle: 'acme.bsky.social', did, active: true });
    if (r.url === '/xrpc/com.atproto.repo.createRecord') return next.shift() ?? recordAnswer();
    return json(404, { error: 'MethodNotImplemented', message: `${r.url} is not served here` });
  };
}

let stand: Receiver;
let next: Answer[] = [];
before(async () => {
  stand = await startReceiver((r) => pds(next)(r));
});
after(() => stand.close());

function channel() {
  const parsed = ChannelsSection.parse({
    sky: {
      type: 'bluesky',
      service: stand.url,
      identifier: 'acme.bsky.social',
      app_password: 'abcd-efgh-ijkl-mnop',
      language: 'fr',
    },
  }).sky;
  assert.ok(parsed?.type === 'bluesky');
  return bluesky.create('sky', parsed, deps);
}
const bodyOf = (r: Received | undefined) => JSON.parse(r?.body ?? '{}') as Record<string, unknown>;
const records = () => stand.requests.filter((r) => r.url === '/xrpc/com.atproto.repo.createRecord');

test('bluesky: a session with the app password, then the documented post record with its link facet', async () => {
  const c = channel();
  stand.requests.length = 0;
  try {
    const first = await c.send({ contact: 'acme.bsky.social' }, message);
    assert.ok(first.ok, JSON.stringify(first));
    assert.match(
      first.providerId ?? '',
      /^at:\/\/did:plc:ewvi7nxzyoun6zhxrhs64oiz\/app\.bsky\.feed\.post\/\S+ bafyrei\S+$/,
    );
    const login = stand.requests[0];
    assert.equal(login?.method, 'POST');
    assert.equal(login?.url, '/xrpc/com.atproto.server.createSession');
    assert.deepEqual(bodyOf(login), { identifier: 'acme.bsky.social', password: 'abcd-efgh-ijkl-mnop' });
    const r = records().at(-1);
    assert.equal(r?.method, 'POST');
    assert.equal(r?.headers.authorization, 'Bearer access-1');
    assert.equal(r?.headers['content-type'], 'application/json');
    const body = bodyOf(r) as { repo: string; collection: string; record: Record<string, unknown> };
    assert.equal(body.repo, did);
    assert.equal(body.collection, 'app.bsky.feed.post');
    const record = body.record as {
      $type: string;
      text: string;
      langs: string[];
      createdAt: string;
      facets: { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri: string }[] }[];
      reply?: unknown;
    };
    assert.equal(record.$type, 'app.bsky.feed.post');
    assert.equal(
      record.text,
      'Paiements par carte : incident\n\nLes paiements par carte échouent pour certains clients 💳. Prochaine mise à jour à 14 h 30.\n\nhttps://status.example/incidents/abc',
    );
    assert.deepEqual(record.langs, ['fr']);
    assert.ok(!Number.isNaN(Date.parse(record.createdAt)));
    assert.equal(record.reply, undefined);
    // The facet's offsets are UTF-8 bytes: the accents and the emoji before the link count 2 and 4.
    const bytes = Buffer.from(record.text);
    const facet = record.facets[0];
    assert.ok(facet);
    assert.deepEqual(facet.features, [
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://status.example/incidents/abc' },
    ]);
    assert.equal(
      bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString(),
      'https://status.example/incidents/abc',
    );
    assert.notEqual(facet.index.byteStart, record.text.indexOf('https://'), 'bytes, not UTF-16 units');

    // A later update replies: root is the thread's first post, parent the previous one; the session is kept.
    const [uri1, cid1] = (first.providerId ?? '').split(' ');
    const second = await c.send(
      { contact: 'acme.bsky.social' },
      {
        ...message,
        id: 'd0000000002b',
        thread: { root: first.providerId ?? '', parent: first.providerId ?? '' },
      },
    );
    assert.ok(second.ok);
    const third = await c.send(
      { contact: 'acme.bsky.social' },
      {
        ...message,
        id: 'd0000000003c',
        text: 'Les paiements échouent pour tous les clients.',
        corrects: first.providerId ?? '',
        thread: { root: first.providerId ?? '', parent: second.providerId ?? '' },
      },
    );
    assert.ok(third.ok);
    const [uri2, cid2] = (second.providerId ?? '').split(' ');
    const [replied, corrected] = records()
      .slice(-2)
      .map((q) => (bodyOf(q) as { record: Record<string, unknown> }).record);
    assert.deepEqual(replied?.reply, { root: { uri: uri1, cid: cid1 }, parent: { uri: uri1, cid: cid1 } });
    assert.deepEqual(corrected?.reply, { root: { uri: uri1, cid: cid1 }, parent: { uri: uri2, cid: cid2 } });
    assert.match(
      String(corrected?.text),
      /^Correction: Paiements par carte/,
      'a record cannot be edited: the reply says so',
    );
    assert.equal(stand.requests.filter((q) => q.url.endsWith('createSession')).length, 1, 'one session');
  } finally {
    await c.close();
  }
});

test('bluesky: 300 graphemes, counted as the network counts them; the link kept whole', async () => {
  const c = channel();
  try {
    await c.send({ contact: 'acme.bsky.social' }, { ...message, text: '👩‍👩‍👧 '.repeat(400) });
    const text = String((bodyOf(records().at(-1)) as { record: { text: string } }).record.text);
    const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;
    assert.ok(graphemes <= 300 && graphemes > 290, `${graphemes} graphemes`);
    assert.ok([...text].length > 300, 'more code points than graphemes');
    assert.match(text, /…\n\nhttps:\/\/status\.example\/incidents\/abc$/);
  } finally {
    await c.close();
  }
});

test('bluesky: documented errors — a rate limit until ratelimit-reset, a refused app password, an expired token', async () => {
  const c = channel();
  try {
    const reset = Math.floor(Date.now() / 1000) + 120;
    next = [
      json(
        429,
        { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
        {
          'ratelimit-limit': '5000',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(reset),
          'ratelimit-policy': '5000;w=3600',
        },
      ),
    ];
    const limited = await c.send({ contact: 'acme.bsky.social' }, message);
    assert.ok(!limited.ok && limited.retry, JSON.stringify(limited));
    assert.ok(
      !limited.ok && limited.retryAfterMs !== undefined && limited.retryAfterMs > 100_000,
      JSON.stringify(limited),
    );
    next = [json(502, { error: 'UpstreamFailure', message: 'upstream failed' })];
    const down = await c.send({ contact: 'acme.bsky.social' }, message);
    assert.ok(!down.ok && down.retry);
    next = [json(400, { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record' })];
    const invalid = await c.send({ contact: 'acme.bsky.social' }, message);
    assert.ok(!invalid.ok && !invalid.retry);
    assert.match(invalid.ok ? '' : invalid.reason, /HTTP 400: InvalidRequest/);

    // An expired access token: the library refreshes the session and posts again.
    next = [json(400, { error: 'ExpiredToken', message: 'Token has expired' })];
    const before = stand.requests.length;
    const refreshed = await c.send({ contact: 'acme.bsky.social' }, message);
    assert.ok(refreshed.ok, JSON.stringify(refreshed));
    const after = stand.requests.slice(before);
    assert.deepEqual(
      after.map((q) => q.url),
      [
        '/xrpc/com.atproto.repo.createRecord',
        '/xrpc/com.atproto.server.refreshSession',
        '/xrpc/com.atproto.server.getSession',
        '/xrpc/com.atproto.repo.createRecord',
      ],
    );
    assert.equal(after[1]?.headers.authorization, 'Bearer refresh-1');
    assert.equal(after[3]?.headers.authorization, 'Bearer access-2');
  } finally {
    await c.close();
  }

  // A wrong app password: createSession answers 401, final until the plan is fixed.
  const wrong = await startReceiver(() =>
    json(401, { error: 'AuthenticationRequired', message: 'Invalid identifier or password' }),
  );
  const parsed = ChannelsSection.parse({
    sky: {
      type: 'bluesky',
      service: wrong.url,
      identifier: 'acme.bsky.social',
      app_password: 'wrong-pass-word-here',
    },
  }).sky;
  assert.ok(parsed?.type === 'bluesky');
  const refused = await bluesky.create('sky', parsed, deps).send({ contact: 'acme.bsky.social' }, message);
  await wrong.close();
  assert.ok(!refused.ok && !refused.retry, JSON.stringify(refused));
  assert.match(refused.ok ? '' : refused.reason, /HTTP 401: AuthenticationRequired/);
  assert.doesNotMatch(refused.ok ? '' : refused.reason, /wrong-pass-word-here/);
});

for (const dialect of dialects) {
  test(`bluesky: an incident's updates become one thread [${dialect.name}]`, async () => {
    const server = await startReceiver(pds());
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  webhook: { type: webhook }
  sky: { type: bluesky, service: "${server.url}", identifier: acme.bsky.social, app_password: env:BLUESKY_APP_PASSWORD }`,
        audiences: { public: ['status-page', 'sky'], enterprise: ['webhook'] },
        env: { BLUESKY_APP_PASSWORD: 'abcd-efgh-ijkl-mnop' },
      });
      const { id, updateId } = await app.declare(
        'Checkout errors',
        'Card payments fail for some customers. Next update by 14:30 UTC.',
      );
      const first = await app.settled(updateId);
      assert.deepEqual(
        first.map((d) => [d.channel, d.subscriber_id, d.state]),
        [['sky', 'account:sky', 'sent']],
      );
      // The preview shows the channel, its text and its length in graphemes, against the plan's limit.
      const preview = await app.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${id}/updates/${updateId}/preview`,
        headers: app.auth,
      });
      assert.equal(preview.statusCode, 200, preview.body);
      const sky = (
        preview.json() as {
          channels: { channel: string; kind: string; length: number; limit: number; fits: boolean }[];
        }
      ).channels.find((c) => c.channel === 'sky');
      assert.deepEqual(sky && [sky.kind, sky.length, sky.limit, sky.fits], [
        'social',
        'Card payments fail for some customers. Next update by 14:30 UTC.'.length,
        280,
        true,
      ]);
      const later = await app.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: app.auth,
        payload: {
          status: 'identified',
          body: 'We found the cause: a failed card processor. Next update by 15:00 UTC.',
        },
      });
      assert.equal(later.statusCode, 201, later.body);
      await app.settled(String((JSON.parse(later.body) as { id: string }).id));
      const resolved = await app.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: app.auth,
        payload: { status: 'resolved', body: 'Card payments work again for every customer.' },
      });
      assert.equal(resolved.statusCode, 201, resolved.body);
      await app.settled(String((JSON.parse(resolved.body) as { id: string }).id));

      const sent = server.requests
        .filter((r) => r.url === '/xrpc/com.atproto.repo.createRecord')
        .map(
          (r) =>
            (
              bodyOf(r) as {
                record: { text: string; reply?: { root: { uri: string }; parent: { uri: string } } };
              }
            ).record,
        );
      assert.equal(sent.length, 3);
      const rootUri = first[0]?.provider_id?.split(' ')[0];
      assert.equal(sent[0]?.reply, undefined);
      assert.equal(sent[1]?.reply?.root.uri, rootUri);
      assert.equal(sent[1]?.reply?.parent.uri, rootUri);
      assert.equal(sent[2]?.reply?.root.uri, rootUri);
      assert.notEqual(sent[2]?.reply?.parent.uri, rootUri, 'the third replies to the second');
      for (const r of sent)
        assert.match(r.text, new RegExp(`https://status\\.crier\\.test/incidents/${id}$`));
      assert.equal(server.requests.filter((r) => r.url.endsWith('createSession')).length, 1);
    } finally {
      await app?.close();
      await server.close();
    }
  });
}

test('bluesky: plan check holds the social variant to 300 graphemes, counted as Bluesky counts', () => {
  const plan = (flags: number) => `
page: { name: Acme, time_zone: UTC }
lint: { limits: { social: 300 } }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sky] }
channels:
  sky: { type: bluesky, identifier: acme.bsky.social, app_password: env:BLUESKY_APP_PASSWORD }
scenarios:
  down:
    severity: SEV1
    templates:
      investigating: "Card payments fail for some customers. Next update by {{ next_update_at }}."
      resolved: { text: "Card payments work again for every customer.", social: "Card payments work again for every customer. ${'🇫🇷'.repeat(flags)}" }
`;
  const problemsOf = (text: string) => {
    const result = readPlan(text);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };
  // 45 + 250 graphemes fit in 300, though they are 545 code points.
  assert.deepEqual(problemsOf(plan(250)), []);
  const over = problemsOf(plan(260));
  assert.equal(over.length, 1, over.join('\n'));
  assert.match(
    over[0] ?? '',
    /^scenarios\.down\.templates\.resolved\.social: .*305 characters; the limit is 300/,
  );
});
