/**
 * The runbook `page` step calls the role holder, with the real worker and a
 * local stand-in for Twilio: an Alertmanager alert declares the incident,
 * the rota's holder is paged, and because the rota gives their phone
 * number and the team (the internal audience) hears by voice, Twilio is
 * asked for the call Twilio documents (POST …/Calls.json, basic auth, To,
 * From and Twiml), saying the page's words twice. A holder without a
 * number, or a team without a voice channel, gets no call.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { fixture } from '../helpers/ingest.ts';
import { startReceiver } from '../helpers/receiver.ts';

const account = 'AC00000000000000000000000000000003';

const plan = (twilio: string, team: string, phones: string) => `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.example], phones: { ${phones} } }
severities:
  SEV2: { external_cadence: 1h, internal_cadence: 30m, approval: none, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [${team}] }
channels:
  team-room: { type: slack, url: ${twilio}/room }
  oncall-voice: { type: voice-twilio, account: ${account}, token: twilio-token, from: "+15550199", endpoint: ${twilio} }
scenarios:
  database-down:
    severity: SEV2
    templates:
      investigating: Saving changes fails for all customers. Next update by {{ next_update_at }}.
      resolved: Saving changes works again for all customers.
runbooks:
  - name: db-down
    when: { source: alertmanager, labels: { team: db } }
    do:
      - declare: { scenario: database-down, name: Saving changes fails }
      - assign_roles: {}
      - page: { role: incident_lead, text: "Ivy, the database is down and customers cannot save changes." }
`;

interface Run {
  steps: { kind: string; state: string; outcome: string | null }[];
}

async function paging(dialect: (typeof dialects)[number], team: string, phones: string) {
  const twilio = await startReceiver((r) => ({
    status: r.url.endsWith('/Calls.json') ? 201 : 200,
    headers: { 'content-type': 'application/json' },
    body: r.url.endsWith('/Calls.json') ? JSON.stringify({ sid: 'CA0009', status: 'queued' }) : 'ok',
  }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-page-voice-'));
  const file = path.join(dir, 'crier.yaml');
  fs.writeFileSync(file, plan(twilio.url, team, phones));
  const t = await openTestDb(dialect);
  const app = await createApp(
    testConfig({
      CRIER_PLAN: file,
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_PUBLIC_URL: 'https://status.acme.example',
      CRIER_WORKER_POLL_MS: '50',
    }),
    { db: t.db, timers: false, worker: true, log: silentLog },
  ).catch(async (err: unknown) => {
    await t.close();
    await twilio.close();
    throw err;
  });
  try {
    const admin = {
      authorization: `Bearer ${(await createToken(testCtx(t.db), { name: 'admin', role: 'admin' })).token}`,
    };
    const key = await app.server.inject({
      method: 'POST',
      url: '/api/v1/ingest-keys',
      headers: admin,
      payload: { source: 'alertmanager' },
    });
    assert.equal(key.statusCode, 201, key.body);
    const posted = await app.server.inject({
      method: 'POST',
      url: key.json().path,
      headers: { 'content-type': 'application/json' },
      payload: fixture('alertmanager-firing.json'),
    });
    assert.equal(posted.statusCode, 200, posted.body);
    await outboxDrained(t.db, 20_000);
    const [incident] = (
      await app.server.inject({ method: 'GET', url: '/api/v1/incidents', headers: admin })
    ).json();
    const runs = await app.server.inject({
      method: 'GET',
      url: `/api/v1/incidents/${incident.id}/runbook-runs`,
      headers: admin,
    });
    const [run] = runs.json() as Run[];
    return {
      calls: twilio.requests.filter((r) => r.url.endsWith('/Calls.json')),
      page: run?.steps.find((s) => s.kind === 'page'),
    };
  } finally {
    await app.close();
    await t.close();
    await twilio.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const dialect of dialects) {
  test(`a page calls the holder's number where the team hears by voice, saying it twice [${dialect.name}]`, async () => {
    const { calls, page } = await paging(
      dialect,
      'team-room, oncall-voice',
      'ivy@acme.example: "+14155550177"',
    );
    assert.equal(page?.state, 'done');
    assert.match(page?.outcome ?? '', /^paged ivy@acme\.example on .*voice/);
    assert.equal(calls.length, 1);
    const call = calls[0];
    assert.ok(call);
    assert.equal(call.method, 'POST');
    assert.equal(call.url, `/2010-04-01/Accounts/${account}/Calls.json`);
    assert.equal(
      call.headers.authorization,
      `Basic ${Buffer.from(`${account}:twilio-token`).toString('base64')}`,
    );
    assert.equal(call.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(call.body);
    assert.deepEqual([...form.keys()], ['To', 'From', 'Twiml']);
    assert.equal(form.get('To'), '+14155550177');
    assert.equal(form.get('From'), '+15550199');
    const twiml = form.get('Twiml') ?? '';
    const said = /<Say language="en-US">([^<]*Ivy, the database is down[^<]*)<\/Say>/.exec(twiml)?.[1];
    assert.ok(said, twiml);
    assert.match(said, /^PAGE ivy@acme\.example: the incident lead is needed now/);
    assert.equal(twiml.split(`<Say language="en-US">${said}</Say>`).length - 1, 2, 'said, then said again');
    assert.match(
      twiml,
      /<Gather numDigits="1" timeout="5"><Say language="en-US">Press 1 to hear it again\.<\/Say><\/Gather>/,
    );
  });

  test(`no call without the holder's number, nor where the team has no voice channel [${dialect.name}]`, async () => {
    const noNumber = await paging(dialect, 'team-room, oncall-voice', '');
    assert.equal(noNumber.calls.length, 0);
    assert.doesNotMatch(noNumber.page?.outcome ?? '', /voice/);
    const noVoice = await paging(dialect, 'team-room', 'ivy@acme.example: "+14155550177"');
    assert.equal(noVoice.calls.length, 0);
    assert.equal(noVoice.page?.outcome, 'paged ivy@acme.example on team-room');
  });
}
