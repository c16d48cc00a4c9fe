/**
 * Messages in the subscriber's language, on real things: an update written
 * in English and French (the plan's templates at declaration, the API's
 * `translations` at resolution) reaches a French subscriber in French and an
 * English one in English, by email through a real SMTP server and by SMS
 * through a stand-in answering as Twilio does; a French SMS that needs
 * characters outside GSM-7 goes as UCS-2 with its segments counted so.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { countSegments } from '../../src/domain/sms.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import {
  dialects,
  openTestDb,
  outboxDrained,
  silentLog,
  TestClock,
  testConfig,
  testCtx,
} from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const sid = 'AC00000000000000000000000000000001';

/** A header as read: RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`) decoded. */
function decoded(header: string | undefined): string {
  return (header ?? '').replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function planText(twilioUrl: string): string {
  return `version: 1
page: { name: Acme, url: https://status.crier.test, time_zone: UTC, language: en, languages: [fr] }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email, sms] }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  sms:
    type: sms-twilio
    account: env:TWILIO_SID
    token: env:TWILIO_TOKEN
    from: "+15550100"
    endpoint: ${twilioUrl}
    max_segments: 6
lint:
  limits: { sms_segments: 6 }
scenarios:
  api-slow:
    impact: minor
    severity: SEV3
    templates:
      investigating:
        text: We are looking into slow pages. Some pages take a long time to load. Next update by {{ next_update_at }}.
        sms: Some pages load slowly. Next update by {{ next_update_at }}.
      resolved: Pages load at their usual speed again for all customers.
    translations:
      fr:
        investigating:
          text: Nous enquêtons sur des pages lentes. Certaines pages mettent longtemps à charger. Prochaine mise à jour avant {{ next_update_at }}.
          sms: Certaines pages sont lentes. Nous enquêtons. Prochain point avant {{ next_update_at }}.
        resolved: Les pages se chargent de nouveau à leur vitesse habituelle pour tous les clients.
`;
}

for (const dialect of dialects) {
  test(`a French subscriber hears in French, an English one in English, by email and SMS [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const twilio = await startReceiver(() => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-languages-'));
    const plan = path.join(dir, 'crier.yaml');
    fs.writeFileSync(plan, planText(twilio.url));
    const t = await openTestDb(dialect).catch(async (err: unknown) => {
      await Promise.all([smtp.close(), twilio.close()]);
      throw err;
    });
    let app: Awaited<ReturnType<typeof createApp>> | undefined;
    try {
      app = await createApp(
        testConfig({
          CRIER_PLAN: plan,
          CRIER_ALLOW_PRIVATE_NETWORK: 'true',
          CRIER_PUBLIC_URL: 'https://status.crier.test',
          CRIER_WORKER_POLL_MS: '50',
          SMTP_URL: smtp.url,
          TWILIO_SID: sid,
          TWILIO_TOKEN: 'twilio-auth-token',
        }),
        // Late on a Friday: the next update, two hours on, falls on Saturday and its time carries the day.
        {
          db: t.db,
          clock: new TestClock('2026-12-04T23:30:00.000Z'),
          timers: false,
          worker: true,
          log: silentLog,
        },
      );
      const admin = (await createToken(testCtx(t.db), { name: 'languages', role: 'admin' })).token;
      const auth = { authorization: `Bearer ${admin}` };
      const inject = app.server.inject.bind(app.server);

      for (const body of [
        { email: 'anne@example.com', locale: 'fr' },
        { email: 'bob@example.com' },
        { phone: '+33 6 12 34 56 78', locale: 'fr-FR' },
        { phone: '+1 415 555 0100', locale: 'en-US' },
      ]) {
        const res = await inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: auth,
          payload: body,
        });
        assert.equal(res.statusCode, 201, res.body);
      }

      // Written in both languages by the plan's templates.
      const declared = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth,
        payload: { name: 'Slow pages', scenario: 'api-slow' },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const incident = JSON.parse(declared.body) as { id: string; incident_updates: { id: string }[] };
      const first = `/api/v1/incidents/${incident.id}/updates/${incident.incident_updates[0]?.id}`;
      await waitFor(() => smtp.mails.length >= 2 && twilio.requests.length >= 2, 15_000, 'the first update');

      const mailTo = (to: string) => {
        const mail = smtp.mails.find((m) => m.to[0] === to);
        assert.ok(mail, to);
        return mail;
      };
      const smsTo = (to: string) => {
        const sms = twilio.requests
          .map((r) => ({ r, form: new URLSearchParams(r.body) }))
          .find((s) => s.form.get('To') === to);
        assert.ok(sms, to);
        // Twilio's documented request: a form POST to the account's Messages resource, Basic auth.
        assert.equal(sms.r.method, 'POST');
        assert.equal(sms.r.url, `/2010-04-01/Accounts/${sid}/Messages.json`);
        assert.equal(sms.r.headers['content-type'], 'application/x-www-form-urlencoded');
        assert.equal(
          sms.r.headers.authorization,
          `Basic ${Buffer.from(`${sid}:twilio-auth-token`).toString('base64')}`,
        );
        assert.equal(sms.form.get('From'), '+15550100');
        return sms.form.get('Body') ?? '';
      };

      const anne = mailTo('anne@example.com');
      assert.match(decoded(anne.headers.subject), /Slow pages: Analyse en cours/);
      assert.match(anne.text, /^Nous enquêtons sur des pages lentes\. Certaines pages mettent longtemps/);
      assert.match(
        anne.text,
        /Gérer votre abonnement ou vous désabonner: https:\/\/status\.crier\.test\/unsubscribe\//,
      );
      assert.doesNotMatch(anne.text, /looking into|Manage your subscription/);
      const bob = mailTo('bob@example.com');
      assert.match(decoded(bob.headers.subject), /Slow pages: Investigating/);
      assert.match(bob.text, /^We are looking into slow pages\./);
      assert.match(bob.text, /Manage your subscription or unsubscribe: /);

      const french = smsTo('+33612345678');
      assert.match(
        french,
        /^Slow pages: Analyse en cours\nCertaines pages sont lentes\. Nous enquêtons\. Prochain point avant sam\. 5 déc\., 01:30 UTC\./,
      );
      assert.match(french, /\nFin : répondez STOP ou https:\/\/status\.crier\.test\/unsubscribe\//);
      // "ê" is not in GSM-7: the whole message goes as UCS-2, 67 units a segment once it is longer than 70.
      const frenchSegments = countSegments(french);
      assert.equal(frenchSegments.encoding, 'UCS-2');
      assert.equal(frenchSegments.segments, Math.ceil(french.length / 67));
      assert.ok(frenchSegments.segments >= 3 && frenchSegments.segments <= 6, french);
      const english = smsTo('+14155550100');
      assert.match(
        english,
        /^Slow pages: Investigating\nSome pages load slowly\. Next update by Sat 5 Dec, 01:30 UTC\./,
      );
      assert.match(english, /\nStop: reply STOP or https:/);
      assert.equal(countSegments(english).encoding, 'GSM-7');

      // The preview shows each language's words per channel; a language the plan does not write is refused.
      type Preview = {
        language: string;
        channels: { kind: string; text: string; subject: string | null; encoding: string | null }[];
      };
      const preview = async (query: string) => {
        const res = await inject({ method: 'GET', url: `${first}/preview${query}`, headers: auth });
        assert.equal(res.statusCode, 200, res.body);
        return JSON.parse(res.body) as Preview;
      };
      const inFrench = await preview('?language=fr');
      assert.equal(inFrench.language, 'fr');
      const frenchEmail = inFrench.channels.find((c) => c.kind === 'email');
      assert.equal(frenchEmail?.subject, 'Slow pages: Analyse en cours');
      assert.match(frenchEmail?.text ?? '', /^Nous enquêtons sur des pages lentes/);
      const frenchSms = inFrench.channels.find((c) => c.kind === 'sms');
      assert.match(frenchSms?.text ?? '', /^Certaines pages sont lentes/);
      assert.equal(frenchSms?.encoding, 'UCS-2');
      const inEnglish = await preview('');
      assert.equal(inEnglish.language, 'en');
      assert.match(inEnglish.channels.find((c) => c.kind === 'email')?.text ?? '', /^We are looking into/);
      const german = await inject({ method: 'GET', url: `${first}/preview?language=de`, headers: auth });
      assert.equal(german.statusCode, 400, german.body);
      assert.equal(JSON.parse(german.body).error.code, 'validation_failed');

      // Written in both languages through the API; the SMS lane sends the resolving update too.
      const resolved = await inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/updates`,
        headers: auth,
        payload: {
          status: 'resolved',
          audience: 'public',
          body: 'Pages load at their usual speed again for all customers.',
          translations: {
            fr: { body: 'Les pages se chargent de nouveau à leur vitesse habituelle pour tous les clients.' },
          },
        },
      });
      assert.equal(resolved.statusCode, 201, resolved.body);
      await waitFor(() => smtp.mails.length >= 4 && twilio.requests.length >= 4, 15_000, 'the resolution');
      await outboxDrained(t.db);
      const last = (to: string) => smtp.mails.filter((m) => m.to[0] === to).at(-1);
      assert.match(decoded(last('anne@example.com')?.headers.subject), /Slow pages: Résolu/);
      assert.match(last('anne@example.com')?.text ?? '', /^Les pages se chargent de nouveau/);
      assert.match(
        last('bob@example.com')?.text ?? '',
        /^Pages load at their usual speed again for all customers\./,
      );
      const frenchResolved = new URLSearchParams(
        twilio.requests.filter((r) => new URLSearchParams(r.body).get('To') === '+33612345678').at(-1)?.body,
      ).get('Body');
      assert.match(
        frenchResolved ?? '',
        /^Slow pages: Résolu\nLes pages se chargent de nouveau à leur vitesse/,
      );
      // Every character here is in GSM-7 (é, à included): it goes as GSM-7, 153 septets a segment.
      assert.equal(countSegments(frenchResolved ?? '').encoding, 'GSM-7');
      assert.equal(smtp.mails.length, 4);
      assert.equal(twilio.requests.length, 4);
    } finally {
      await app?.close();
      await t.close();
      await Promise.all([smtp.close(), twilio.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
