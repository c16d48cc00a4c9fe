/**
 * The SEV1 path of examples/small-saas.yaml, as its team would run it, on a
 * real `crier serve` (HTTP and worker) on each database: a responder
 * declares it with the web app in major outage, and the page turns red at
 * once while the words wait; the one comms lead on the rota edits the
 * draft, so the incident lead approves it — as the plan's fallback, with
 * `crier update approve`, nobody reassigned — and it goes out. Email, the
 * customer's Slack, the page, the support brief and the support lead's
 * notice all give the same "next update by" time: the public deadline that
 * publication set, in the page's time zone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatTime } from '../src/domain/templates.ts';
import { dialects, openTestDb } from '../test/helpers/db.ts';
import { startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { startSmtpSink } from '../test/helpers/smtp.ts';
import { root, runCli, startServer, tempDir } from './helpers/process.ts';

const adminToken = 'e2e-small-saas-admin-token-0123456789';
const nextUpdate = /Next update by (\d\d:\d\d [A-Z]+)/;

for (const dialect of dialects) {
  test(`small SaaS SEV1: one comms lead edits, the incident lead approves, one next-update time everywhere [${dialect.name}]`, async () => {
    const dir = tempDir('crier-small-saas-');
    const sqliteFile = path.join(dir, 'crier.db');
    const t = await openTestDb(
      dialect.name === 'sqlite' ? { name: 'sqlite', url: `sqlite:${sqliteFile}` } : dialect,
    );
    const smtp = await startSmtpSink();
    const hooks = await startReceiver();
    const planFile = path.join(dir, 'crier.yaml');
    fs.copyFileSync(path.join(root, 'examples/small-saas.yaml'), planFile);
    const server = await startServer({
      CRIER_DATABASE_URL:
        dialect.name === 'sqlite'
          ? `sqlite:${sqliteFile}`
          : `${t.url}${t.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${t.schema}`)}`,
      CRIER_PLAN: planFile,
      CRIER_ADMIN_TOKEN: adminToken,
      CRIER_DEMO: 'false',
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_WORKER_POLL_MS: '100',
      SMTP_URL: smtp.url,
      SLACK_INTERNAL_WEBHOOK: `${hooks.url}/internal`,
      SLACK_SUPPORT_WEBHOOK: `${hooks.url}/support`,
    });
    try {
      const api = async (token: string, method: string, url: string, body?: object) => {
        const res = await fetch(`${server.url}/api/v1${url}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
          ...(body && { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: JSON.parse(await res.text()) };
      };
      const token = async (name: string, role: string) => {
        const created = await api(adminToken, 'POST', '/tokens', { name, role });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        return created.body.token as string;
      };
      const rita = await token('rita@tasklane.example', 'responder');
      const cleo = await token('cleo@tasklane.example', 'comms_lead');
      const leads: Record<string, string> = {
        'ana@tasklane.example': await token('ana@tasklane.example', 'incident_lead'),
        'ben@tasklane.example': await token('ben@tasklane.example', 'incident_lead'),
      };
      assert.equal(
        (await api(adminToken, 'POST', '/subscribers', { email: 'customer@example.com' })).status,
        201,
      );
      assert.equal(
        (await api(adminToken, 'POST', '/subscribers', { slack: `${hooks.url}/customer` })).status,
        201,
      );
      const web = await api(adminToken, 'POST', '/components', { name: 'Web app' });

      const declared = await api(rita, 'POST', '/incidents', {
        name: 'Tasklane does not load',
        scenario: 'app-down',
        components: { [web.body.id]: 'major_outage' },
      });
      assert.equal(declared.status, 201, JSON.stringify(declared.body));
      const id = declared.body.id as string;
      const uid = declared.body.incident_updates[0].id as string;
      assert.equal(declared.body.incident_updates[0].state, 'pending_approval');
      // The page is not green while the words wait.
      const indicator = async () => {
        const res = await fetch(`${server.url}/api/v2/status.json`);
        return ((await res.json()) as { status: { indicator: string } }).status.indicator;
      };
      await waitFor(async () => (await indicator()) === 'critical', 10_000, 'the page turning red');
      assert.equal(
        (await api(adminToken, 'GET', `/incidents/${id}/updates/${uid}`)).body.state,
        'pending_approval',
        'while the words still wait',
      );

      const edit = await api(cleo, 'PATCH', `/incidents/${id}/updates/${uid}/draft`, {
        body: 'You cannot open Tasklane or save changes in Europe. We are working on it now.\nNext update by {{ next_update_at }}.',
      });
      assert.equal(edit.status, 200, JSON.stringify(edit.body));
      assert.equal(
        (await api(cleo, 'POST', `/incidents/${id}/updates/${uid}/submit`, {})).body.state,
        'pending_approval',
      );
      const self = await api(cleo, 'POST', `/incidents/${id}/updates/${uid}/approve`, {});
      assert.equal(self.status, 403);
      assert.equal(self.body.error.code, 'self_approval');

      const lead = declared.body.roles.incident_lead as string;
      const leadToken = leads[lead];
      assert.ok(leadToken, `the rota's incident lead (${lead})`);
      await waitFor(
        () =>
          hooks.requests.some(
            (r) =>
              r.url === '/internal' &&
              r.body.includes(`${lead} (incident lead, the plan's fallback)`) &&
              r.body.includes(`crier update approve ${id} ${uid}`),
          ),
        30_000,
        'the approval request to the incident lead',
      );
      const approved = await runCli(['update', 'approve', id, uid], {
        CRIER_URL: server.url,
        CRIER_TOKEN: leadToken,
        CRIER_LOG_LEVEL: 'silent',
      });
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, new RegExp(`^${uid}\\s+published\\s`, 'm'));

      const incident = (await api(adminToken, 'GET', `/incidents/${id}`)).body;
      assert.deepEqual(incident.roles.comms_lead, 'cleo@tasklane.example', 'nobody was reassigned');
      const expected = formatTime(incident.next_update_due_at as string, 'Europe/Berlin');
      const published = (incident.incident_updates as { id: string; body: string }[]).find(
        (u) => u.id === uid,
      );
      assert.equal(nextUpdate.exec(published?.body ?? '')?.[1], expected, 'the published words');

      await waitFor(() => smtp.mails.length > 0, 30_000, 'the email');
      await waitFor(() => hooks.requests.some((r) => r.url === '/customer'), 30_000, 'the customer Slack');
      await waitFor(() => hooks.requests.some((r) => r.url === '/support'), 30_000, 'the support notice');
      const page = async () => (await fetch(`${server.url}/incidents/${id}`)).text();
      await waitFor(async () => (await page()).includes('in Europe'), 30_000, 'the page');
      const brief = await fetch(`${server.url}/api/v1/incidents/${id}/support-brief`, {
        headers: { authorization: `Bearer ${adminToken}`, accept: 'text/plain' },
      });
      const renderings: Record<string, string> = {
        email: smtp.mails[0]?.text ?? '',
        slack: hooks.requests.find((r) => r.url === '/customer')?.body ?? '',
        page: await page(),
        brief: await brief.text(),
        support: hooks.requests.filter((r) => r.url === '/support').at(-1)?.body ?? '',
      };
      for (const [where, text] of Object.entries(renderings)) {
        const times = [
          ...text.matchAll(
            /(?:Next update by|next update is due by|Next update[^0-9]{0,20}) ?(\d\d:\d\d [A-Z]+)/g,
          ),
        ].map((m) => m[1]);
        assert.ok(times.length > 0, `${where} gives the next update time: ${text.slice(0, 400)}`);
        assert.deepEqual([...new Set(times)], [expected], `${where} says ${expected} and nothing else`);
      }
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0);
      await hooks.close();
      await smtp.close();
      await t.close();
    }
  });
}
