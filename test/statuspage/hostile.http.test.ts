import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { startTestApp } from '../helpers/http.ts';

const sqlite = { name: 'sqlite' as const, url: 'sqlite::memory:' };
const evilName = '<script>alert("name")</script>';
const evilComponent = '<img src=x onerror=alert(1)>';
const evilBody =
  '[click me](javascript:alert(1)) <b onmouseover="alert(2)">hi</b> [ok](https://example.com/a?b=1&c="2")';

test('hostile names and bodies are inert on the page, feeds, badge, calendar and live events', async () => {
  const t = await startTestApp(sqlite, { env: { PORT: '0', HOST: '127.0.0.1' } });
  try {
    const post = async (url: string, payload: object) => {
      const res = await t.app.server.inject({
        method: 'POST',
        url: `/api/v1${url}`,
        headers: t.auth('admin'),
        payload,
      });
      assert.ok(res.statusCode < 300, res.body);
      return res.json();
    };
    const c = await post('/components', { name: evilComponent, description: evilName });
    const incident = await post('/incidents', {
      name: evilName,
      body: evilBody,
      components: { [c.id]: 'major_outage' },
    });
    const huge = `${'A very long update. '.repeat(4990)}**end**`;
    assert.ok(huge.length > 99_000, 'about the 100 kB limit');
    await post(`/incidents/${incident.id}/updates`, { body: huge });
    const start = new Date(Date.now() + 3_600_000).toISOString();
    const end = new Date(Date.now() + 7_200_000).toISOString();
    await post('/maintenances', {
      name: `${evilName};,\\`,
      body: evilBody,
      scheduled_for: start,
      scheduled_until: end,
    });
    const started = performance.now();
    await t.app.statusPage.refresh();
    assert.ok(performance.now() - started < 5_000, 'a 100 kB body renders quickly');

    const surfaces = [
      '/',
      `/incidents/${incident.id}`,
      '/history',
      '/history.atom',
      '/history.rss',
      `/badge.svg?component=${c.id}`,
      '/badge.svg',
    ];
    for (const url of surfaces) {
      const res = await t.app.server.inject({ url });
      assert.equal(res.statusCode, 200, url);
      const body = res.body;
      assert.doesNotMatch(body, /<script>alert/, url);
      assert.doesNotMatch(body, /<img src=x/, url);
      assert.doesNotMatch(body, /<b onmouseover/, url);
      assert.doesNotMatch(body, /href="javascript:/i, url);
    }
    const page = (await t.app.server.inject({ url: `/incidents/${incident.id}` })).body;
    assert.match(page, /&lt;script&gt;alert\(&quot;name&quot;\)&lt;\/script&gt;/);
    assert.match(page, /click me/, 'the text of an unsafe link stays, without the link');
    assert.match(
      page,
      /<a href="https:\/\/example.com\/a\?b=1&amp;c=%222%22" rel="nofollow noopener">ok<\/a>/,
    );
    assert.match(page, /<strong>end<\/strong>/, 'the 100 kB body is rendered whole');
    assert.match(
      String((await t.app.server.inject({ url: '/' })).headers['content-security-policy']),
      /script-src 'self'/,
    );
    const badge = (await t.app.server.inject({ url: `/badge.svg?component=${c.id}` })).body;
    assert.match(badge, /&lt;img src=x/);
    const ics = (await t.app.server.inject({ url: '/maintenances.ics' })).body;
    assert.match(
      ics,
      /SUMMARY:<script>alert\("name"\)<\/script>\\;\\,\\\\/,
      'calendar TEXT is escaped per RFC 5545',
    );
    for (const line of ics.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, 'lines are folded');

    const embed = (await t.app.server.inject({ url: '/embed.js' })).body;
    assert.doesNotMatch(embed, /innerHTML|insertAdjacentHTML|document\.write/, 'the embed only sets text');
    const gz = await t.app.server.inject({ url: '/embed.js', headers: { 'accept-encoding': 'gzip' } });
    assert.ok(gz.rawPayload.length < 10 * 1024, `embed.js is ${gz.rawPayload.length} bytes gzipped`);

    // The live stream carries the name as JSON data; the browser test shows it lands as text.
    const base = await t.app.listen();
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${base}/events`, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        assert.equal(res.headers['access-control-allow-origin'], '*');
        let buf = '';
        res.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          const end = buf.indexOf('\n\n', buf.indexOf('event: state'));
          if (buf.includes('event: state') && end > 0) {
            req.destroy();
            resolve(buf);
          }
        });
      });
      req.on('error', reject);
    });
    const data =
      first
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6) ?? '';
    const state = JSON.parse(data);
    assert.equal(state.incidents[0].name, evilName);
  } finally {
    await t.close();
  }
});

test('malformed public requests get a 4xx, never a 500', async () => {
  const t = await startTestApp(sqlite, { env: { PORT: '0', HOST: '127.0.0.1' } });
  try {
    const base = await t.app.listen();
    const urls = [
      '/incidents/%ZZ',
      `/incidents/${'a'.repeat(5000)}`,
      '/badge.svg?component=%00%ff',
      '/badge.svg?component=../../etc/passwd',
      '/api/v2/summary.json?<script>=1',
      '/assets/..%2f..%2fpackage.json',
      '/api/v2/nope.json',
    ];
    for (const url of urls) {
      const res = await fetch(base + url);
      assert.ok(res.status < 500, `${url} answered ${res.status}`);
    }
    const head = await fetch(`${base}/events`, { method: 'HEAD', signal: AbortSignal.timeout(2_000) });
    assert.equal(head.status, 200, 'HEAD of the event stream answers and ends');
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    assert.ok(post.status >= 400 && post.status < 500);
    const weird = await fetch(`${base}/`, {
      headers: { 'accept-encoding': 'br;q=abc, gzip;q=0', 'if-none-match': '"", *x' },
    });
    assert.equal(weird.status, 200);
  } finally {
    await t.close();
  }
});

test('open live streams get each new state after a change', async () => {
  const t = await startTestApp(sqlite, { env: { PORT: '0', HOST: '127.0.0.1' } });
  try {
    const base = await t.app.listen();
    const states: { version: string; incidents: { name: string }[] }[] = [];
    let got: () => void = () => {};
    const req = http.get(`${base}/events`, (res) => {
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let end = buf.indexOf('\n\n');
        while (end >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data) {
            states.push(JSON.parse(data.slice(6)));
            got();
          }
          end = buf.indexOf('\n\n');
        }
      });
    });
    const next = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${states.length} states`)), 5_000);
        got = () => {
          if (states.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        got();
      });
    await next(1);
    assert.deepEqual(states[0]?.incidents, []);
    await t.app.server.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: t.auth('incident_lead'),
      payload: { name: 'Checkout down', body: 'Looking.' },
    });
    await next(2);
    assert.equal(states[1]?.incidents[0]?.name, 'Checkout down');
    assert.notEqual(states[1]?.version, states[0]?.version);
    req.destroy();
  } finally {
    await t.close();
  }
});
