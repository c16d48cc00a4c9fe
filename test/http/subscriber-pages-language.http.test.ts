/**
 * The subscriber's side in the subscriber's language, on real things: the
 * subscribe form in the browser's language (Arabic right to left), the
 * confirmation by email (a real SMTP server) and by SMS (a stand-in
 * answering as Twilio does) in the language chosen on the form, else the
 * plan's; the confirmation link opening its page in that language, and the
 * manage page in the subscriber's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { countSegments } from '../../src/domain/sms.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';
import { decodedHeader, startSmtpSink } from '../helpers/smtp.ts';

const sid = 'AC00000000000000000000000000000001';
const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

function planText(twilioUrl: string): string {
  return `version: 1
page: { name: Acme, url: https://status.crier.test, time_zone: UTC, language: de, languages: [fr] }
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
`;
}

test('the form, the confirmation by email and SMS, and the pages it leads to speak the subscriber’s language', async () => {
  const smtp = await startSmtpSink();
  const twilio = await startReceiver(() => ({
    status: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
  }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-subscriber-pages-'));
  const plan = path.join(dir, 'crier.yaml');
  fs.writeFileSync(plan, planText(twilio.url));
  const t = await openTestDb(dialect);
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    app = await createApp(
      testConfig({
        CRIER_PLAN: plan,
        CRIER_ALLOW_PRIVATE_NETWORK: 'true',
        CRIER_PUBLIC_URL: 'https://status.crier.test',
        CRIER_WORKER_POLL_MS: '50',
        CRIER_DEMO: 'false',
        SMTP_URL: smtp.url,
        TWILIO_SID: sid,
        TWILIO_TOKEN: 'twilio-auth-token',
      }),
      { db: t.db, timers: false, worker: true, log: silentLog },
    );
    await app.statusPage.refresh();
    const inject = app.server.inject.bind(app.server);

    // The form in the browser's language; the language of messages offered, the reader's selected.
    const form = await inject({ url: '/subscribe', headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<html lang="fr" dir="ltr">/);
    assert.match(form.body, /<h1>S’abonner aux mises à jour<\/h1>/);
    assert.match(form.body, /<label for="sub-email">Adresse e-mail<\/label>/);
    assert.match(form.body, /<form method="post" action="\/subscribe\?lang=fr">/);
    assert.match(form.body, /<option value="fr" lang="fr" selected>Français<\/option>/);
    assert.doesNotMatch(form.body, /Email address|Subscribe to updates/);
    const german = await inject({ url: '/subscribe' });
    assert.match(german.body, /<html lang="de" dir="ltr">/, 'no header: the plan’s language');
    assert.match(german.body, /<label for="sub-email">E-Mail-Adresse<\/label>/);
    const arabic = await inject({ url: '/subscribe?lang=ar', headers: { 'accept-language': 'fr' } });
    assert.match(arabic.body, /<html lang="ar" dir="rtl">/);
    assert.match(arabic.body, /<button class="button" type="submit">اشترك<\/button>/);

    // Subscribing by the French form: its answer is French, and so is everything that follows.
    const posted = await inject({
      method: 'POST',
      url: '/subscribe?lang=fr',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=anne%40example.com&locale=fr',
    });
    assert.equal(posted.statusCode, 200, posted.body);
    assert.match(posted.body, /<h1>Consultez votre messagerie<\/h1>/);
    for (const payload of [{ phone: '+33 6 12 34 56 78', locale: 'fr' }, { email: 'dieter@example.com' }]) {
      const res = await inject({ method: 'POST', url: '/subscribe', payload });
      assert.equal(res.statusCode, 202, res.body);
    }
    await waitFor(() => smtp.mails.length >= 2 && twilio.requests.length >= 1, 15_000, 'the confirmations');
    await outboxDrained(t.db);

    const anne = smtp.mails.find((m) => m.to[0] === 'anne@example.com');
    assert.ok(anne);
    assert.equal(decodedHeader(anne.headers.subject ?? ''), 'Confirmez votre abonnement');
    assert.match(
      anne.text,
      /^Quelqu'un, sans doute vous, a demandé à recevoir ici les mises à jour d'état\./,
    );
    const link = /Confirmez votre abonnement: (https:\/\/status\.crier\.test\/confirm\/\S+)/.exec(
      anne.text,
    )?.[1];
    assert.ok(link, anne.text);
    assert.match(link, /\?lang=fr$/);
    assert.doesNotMatch(anne.text, /Someone|Confirm your subscription/);
    // No language chosen: the plan's.
    const dieter = smtp.mails.find((m) => m.to[0] === 'dieter@example.com');
    assert.equal(decodedHeader(dieter?.headers.subject ?? ''), 'Abonnement bestätigen');
    assert.match(dieter?.text ?? '', /^Jemand, hoffentlich Sie, hat hier Status-Updates angefordert\./);
    assert.match(dieter?.text ?? '', /\/confirm\/\S+\?lang=de/);

    // Twilio's documented request, the text in French and within GSM-7 (é and à are in it), one segment each 153.
    const sms = twilio.requests[0];
    assert.equal(sms?.method, 'POST');
    assert.equal(sms?.url, `/2010-04-01/Accounts/${sid}/Messages.json`);
    const body = new URLSearchParams(sms?.body).get('Body') ?? '';
    assert.equal(new URLSearchParams(sms?.body).get('To'), '+33612345678');
    assert.match(body, /^Confirmez votre abonnement\nQuelqu'un, sans doute vous, a demandé/);
    assert.match(body, /\nConfirmer : https:\/\/status\.crier\.test\/confirm\/\S+\?lang=fr/);
    const segments = countSegments(body);
    assert.equal(segments.encoding, 'GSM-7');
    assert.equal(segments.segments, segments.units <= 160 ? 1 : Math.ceil(segments.units / 153));

    // The link's page, its answer and the manage page: French.
    const confirmPath = new URL(link).pathname + new URL(link).search;
    const prompt = await inject({ url: confirmPath });
    assert.match(prompt.body, /<html lang="fr" dir="ltr">/);
    assert.match(prompt.body, /<button class="button" type="submit">Confirmer mon abonnement<\/button>/);
    assert.match(prompt.body, /action="\/confirm\/[^"]+\?lang=fr"/);
    const confirmed = await inject({ method: 'POST', url: confirmPath });
    assert.match(confirmed.body, /<h1>Abonnement confirmé<\/h1>/);
    const manage = /href="(\/unsubscribe\/[^"]+)"/.exec(confirmed.body)?.[1];
    assert.ok(manage);
    const managePage = await inject({ url: manage.replace(/\?lang=fr$/, '') });
    assert.match(managePage.body, /<html lang="fr" dir="ltr">/, 'the subscriber’s own language');
    assert.match(managePage.body, /<h2>Arrêter toutes les mises à jour<\/h2>/);
    assert.match(managePage.body, /<option value="fr" lang="fr" selected>Français<\/option>/);
    const token = manage.split('/')[2]?.split('?')[0] ?? '';
    const saved = await inject({
      method: 'POST',
      url: `/manage/${token}?lang=fr`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'locale=de',
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.match(saved.body, /<html lang="de" dir="ltr">/, 'the page after saving speaks the new choice');
    assert.match(saved.body, /Sie werden über alle Komponenten informiert\./);
    const gone = await inject({ method: 'POST', url: `/unsubscribe/${token}?lang=ja` });
    assert.match(gone.body, /<h1>購読を解除しました<\/h1>/);
    const unknown = await inject({ url: '/confirm/nope?lang=es' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /<a href="\/subscribe\?lang=es">Suscríbase de nuevo<\/a>/);
  } finally {
    await app?.close();
    await t.close();
    await Promise.all([smtp.close(), twilio.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
