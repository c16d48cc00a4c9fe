/**
 * The static export: `crier export --out DIR` and CRIER_EXPORT_DIR write
 * the public surface so that a plain static file server shows the same
 * page, and the JSON is byte for byte what the live server answers.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, startServer, tempDir } from './helpers/process.ts';

const token = 'e2e-export-admin-token-123';

/** The plainest static server: a path maps to a file, a folder to its index.html. Nothing else. */
async function staticServer(dir: string): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const clean = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    let file = path.join(dir, clean);
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

test('the exported site equals the live one and a plain static server shows the incident', async () => {
  const dir = tempDir();
  const auto = path.join(dir, 'auto');
  const env = {
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_ADMIN_TOKEN: token,
    CRIER_DEMO: 'false',
    CRIER_PAGE_NAME: 'Acme Cloud',
    CRIER_PUBLIC_URL: 'https://status.acme.example',
  };
  const server = await startServer({ ...env, CRIER_EXPORT_DIR: auto });
  try {
    const admin = async (url: string, body: object): Promise<{ id: string }> => {
      const res = await fetch(server.url + url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, await res.clone().text());
      return (await res.json()) as { id: string };
    };
    const c = await admin('/api/v1/components', { name: 'API' });
    const incident = await admin('/api/v1/incidents', {
      name: 'Database failover',
      body: 'Writes fail.',
      components: { [c.id]: 'major_outage' },
    });
    await admin('/api/v1/maintenances', {
      name: 'Network work',
      scheduled_for: new Date(Date.now() + 86_400_000).toISOString(),
      scheduled_until: new Date(Date.now() + 90_000_000).toISOString(),
    });
    // Let the live cache render the last change before comparing.
    for (let i = 0; i < 50; i++) {
      const s = (await (await fetch(`${server.url}/api/v2/scheduled-maintenances/upcoming.json`)).json()) as {
        scheduled_maintenances: unknown[];
      };
      if (s.scheduled_maintenances.length === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const out = path.join(dir, 'site');
    const run = await runCli(['export', '--out', out], env);
    assert.equal(run.code, 0, run.stderr);

    const jsonPaths = [
      'summary.json',
      'status.json',
      'components.json',
      'incidents.json',
      'incidents/unresolved.json',
      'scheduled-maintenances.json',
      'scheduled-maintenances/upcoming.json',
      'scheduled-maintenances/active.json',
    ].map((p) => `/api/v2/${p}`);
    for (const p of [
      ...jsonPaths,
      '/history.atom',
      '/history.rss',
      '/maintenances.ics',
      '/badge.svg',
      '/embed.js',
    ]) {
      const live = Buffer.from(
        await (await fetch(server.url + p, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer(),
      );
      assert.ok(live.equals(readFileSync(path.join(out, p))), `${p} is byte for byte the live response`);
    }

    const site = await staticServer(out);
    try {
      for (const p of ['/', `/incidents/${incident.id}`, '/history']) {
        const res = await fetch(site.url + p);
        assert.equal(res.status, 200, p);
        assert.match(await res.text(), /Database failover/, `${p} from the static server shows the incident`);
      }
      const css = await fetch(`${site.url}/assets/status.css?v=1`);
      assert.equal(css.status, 200, 'assets are exported too');
      const summary = (await (await fetch(`${site.url}/api/v2/summary.json`)).json()) as {
        incidents: { name: string }[];
        status: { indicator: string };
      };
      assert.equal(summary.incidents[0]?.name, 'Database failover');
      assert.equal(summary.status.indicator, 'critical');
    } finally {
      site.close();
    }

    // CRIER_EXPORT_DIR: the running server exported the same change by itself.
    let auto200 = '';
    for (let i = 0; i < 100 && !auto200.includes('Network work'); i++) {
      if (existsSync(path.join(auto, 'index.html')))
        auto200 = readFileSync(path.join(auto, 'index.html'), 'utf8');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(auto200, /Database failover/);
    assert.deepEqual(
      JSON.parse(readFileSync(path.join(auto, 'api/v2/summary.json'), 'utf8')),
      JSON.parse(readFileSync(path.join(out, 'api/v2/summary.json'), 'utf8')),
    );
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: Record<string, string> };
    assert.equal(ready.checks.status_page_export, 'ok');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^crier_status_page_renders_total [1-9]\d*$/m);
    assert.match(metrics, /^crier_status_page_export_failures\{target="dir:[^"]+"\} 0$/m);
  } finally {
    await server.stop();
  }
});
