/**
 * Every HTML answer carries the security headers, whether the fast path
 * sends it from memory or a route sends it through Fastify; the pages have
 * no inline script or style for the policy to need 'unsafe-inline'; what
 * is meant to be used from other sites (the embed, the badge, the API) is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY } from '../../src/domain/security-headers.ts';
import { startTestApp } from '../helpers/http.ts';

const sqlite = { name: 'sqlite' as const, url: 'sqlite::memory:' };

function assertHtmlHeaders(headers: Headers, label: string): void {
  const csp = headers.get('content-security-policy') ?? '';
  assert.equal(csp, CONTENT_SECURITY_POLICY, label);
  assert.match(csp, /frame-ancestors 'none'/, label);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, label);
  assert.equal(headers.get('x-frame-options'), 'DENY', label);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', label);
  assert.match(
    headers.get('referrer-policy') ?? '',
    /^(strict-origin-when-cross-origin|no-referrer)$/,
    label,
  );
}

test('every HTML answer carries a CSP without inline allowances, no framing, nosniff and a referrer policy', async () => {
  const t = await startTestApp(sqlite, {
    env: { PORT: '0', HOST: '127.0.0.1', CRIER_PAGE_COLOR: '#7c3aed' },
  });
  try {
    const created = await t.app.server.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: t.auth('admin'),
      payload: { name: 'Slow checkout', body: 'We are looking into it.' },
    });
    assert.equal(created.statusCode, 201, created.body);
    await t.app.statusPage.refresh();
    const base = await t.app.listen();
    // The fast path (answered before routing), the router's path to the same cache, and Fastify routes.
    const pages = [
      '/',
      '/history',
      `/incidents/${created.json().id}`,
      '/incidents/no-such-incident',
      '/subscribe',
      '/confirm/no-such-token',
      '/unsubscribe/no-such-token',
    ];
    for (const path of pages) {
      for (const encoding of ['identity', 'br']) {
        const res = await fetch(base + path, { headers: { 'accept-encoding': encoding } });
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
        assertHtmlHeaders(res.headers, `${path} (${encoding})`);
        const html = await res.text();
        assert.doesNotMatch(
          html,
          /<style|<script(?![^>]*\ssrc=)| style=|\son[a-z]+=/i,
          `${path}: nothing inline`,
        );
      }
    }

    const page = await (await fetch(base)).text();
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
    assert.ok(css);
    const stylesheet = await fetch(base + css);
    assert.match(
      await stylesheet.text(),
      /--accent:#7c3aed;--on-accent:#ffffff/,
      'the colours are in the stylesheet',
    );
    assert.equal(stylesheet.headers.get('x-content-type-options'), 'nosniff');

    // Used from other sites: a script, an image and JSON, served to any origin and not framed.
    for (const path of ['/embed.js', '/badge.svg', '/api/v2/status.json']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('cross-origin-resource-policy'), null, `${path} loads from any site`);
    }
    const api = await t.app.server.inject({ url: '/api/v1/components', headers: t.auth('viewer') });
    assert.equal(api.headers['x-content-type-options'], 'nosniff');
  } finally {
    await t.close();
  }
});
