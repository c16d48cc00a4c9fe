/**
 * Feedback through the real app: a customer's email asks whether the update
 * helped with a short signed link; the link's page records a vote with a
 * plain form (no script), changes it, keeps a comment that comes back
 * escaped; the status page carries the same question under each update,
 * answered by a form POST from the page it serves from memory; bad answers
 * are refused with a 4xx and nothing stored; the team rates the incident
 * and a helpdesk pushes its ticket count through the API.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects, outboxDrained } from '../helpers/db.ts';
import { startPlanApp } from '../helpers/plan-app.ts';
import { waitFor } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

for (const dialect of dialects) {
  test(`customers say whether an update helped, by a message's link and on the page; the team rates it [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const p = await startPlanApp(dialect, {
      channels: '  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }',
      audiences: { public: ['status-page', 'email'] },
      env: { SMTP_URL: smtp.url },
    }).catch(async (err: unknown) => {
      await smtp.close();
      throw err;
    });
    try {
      const server = p.app.server;
      const added = await server.inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: p.auth,
        payload: { email: 'reader@example.com' },
      });
      assert.equal(added.statusCode, 201, added.body);
      await outboxDrained(p.t.db);
      smtp.mails.length = 0;

      const { id, updateId } = await p.declare(
        'Slow logins',
        'Logins take longer than usual. Next update within the hour.',
      );
      await p.settled(updateId);
      await waitFor(async () => smtp.mails.length > 0, 10_000, 'the update by email');
      const mail = smtp.mails[0];
      const link =
        /Was this update helpful\? Yes: (https:\/\/status\.crier\.test\/f\/([0-9a-z-]+))\?helpful=yes/.exec(
          mail?.text ?? '',
        );
      assert.ok(link?.[2], `the email asks, with a short link: ${mail?.text}`);
      const code = link[2];
      assert.ok(code.length <= 45, `short enough for an SMS: ${code}`);

      // The link only shows the question (mail scanners open links); nothing is recorded yet.
      const shown = await server.inject({ url: `/f/${code}?helpful=yes` });
      assert.equal(shown.statusCode, 200);
      assert.match(shown.body, /Was this update helpful\?/);
      assert.match(shown.body, new RegExp(`action="/feedback/${code}\\?lang=en"`));
      assert.match(shown.body, /Logins take longer than usual/);
      const votes = () => p.t.db.selectFrom('feedback_votes').selectAll().execute();
      assert.equal((await votes()).length, 0);

      const yes = await server.inject({
        method: 'POST',
        url: `/feedback/${code}`,
        headers: form,
        payload: 'helpful=yes',
      });
      assert.equal(yes.statusCode, 200, yes.body);
      assert.match(yes.body, /Thank you/);

      // These pages speak the status page's languages: `?lang=`, else the subscriber's, else the page's.
      const french = await server.inject({ url: `/f/${code}?helpful=yes&lang=fr` });
      assert.match(french.body, /<html lang="fr" dir="ltr">/);
      assert.ok(french.body.includes('<legend>Cette mise à jour vous a-t-elle aidé ?</legend>'));
      assert.ok(
        french.body.includes('Vous avez trouvé cette mise à jour utile. Vous pouvez changer d’avis.'),
      );
      assert.ok(
        french.body.includes('Appuyez sur <strong>Oui</strong> ci-dessous pour envoyer votre réponse.'),
      );
      assert.match(french.body, new RegExp(`action="/feedback/${code}\\?lang=fr"`));
      const german = await server.inject({
        method: 'POST',
        url: `/feedback/${code}?lang=de`,
        headers: form,
        payload: 'helpful=yes',
      });
      assert.equal(german.statusCode, 200, german.body);
      assert.ok(
        german.body.includes('Danke: Wir lesen jede Antwort, um unsere Meldungen nützlicher zu machen.'),
      );
      assert.ok(german.body.includes('<a href="/de/">Zurück zur Statusseite</a>'));
      // A subscriber's own language, when the link does not say (set here as a subscriber's choice would).
      await p.t.db.updateTable('subscribers').set({ locale: 'pt-BR' }).execute();
      assert.ok(
        (await server.inject({ url: `/f/${code}` })).body.includes(
          '<legend>Esta atualização foi útil?</legend>',
        ),
      );
      await p.t.db.updateTable('subscribers').set({ locale: null }).execute();
      const unknown = await server.inject({ url: `/f/${code}?lang=xx` });
      assert.ok(
        unknown.body.includes('<legend>Was this update helpful?</legend>'),
        'an unknown language: the page’s',
      );
      const forgedJa = await server.inject({ url: '/f/forged-code?lang=ja' });
      assert.equal(forgedJa.statusCode, 404);
      assert.ok(forgedJa.body.includes('このフィードバックのリンクは無効です。'));
      const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
      const no = await server.inject({
        method: 'POST',
        url: `/feedback/${code}`,
        headers: form,
        payload: new URLSearchParams({ helpful: 'no', comment: hostile }).toString(),
      });
      assert.equal(no.statusCode, 200, no.body);
      const rows = await votes();
      assert.equal(rows.length, 1, 'one vote per subscriber per update');
      assert.equal(rows[0]?.helpful, 0);
      assert.equal(rows[0]?.comment, hostile);

      // Shown again, the comment is escaped: no markup of the customer's reaches the page.
      const again = await server.inject({ url: `/feedback/${code}` });
      assert.ok(!again.body.includes('<script>alert'), 'no raw script');
      assert.ok(!again.body.includes('<img src=x'), 'no raw image');
      assert.ok(again.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x'));
      assert.match(again.body, /You said this update was not helpful/);

      // Refused with a 4xx, and nothing changed: too long, hostile characters, no answer, a forged link.
      const before = JSON.stringify(await votes());
      for (const [payload, status] of [
        [new URLSearchParams({ helpful: 'yes', comment: 'x'.repeat(1001) }).toString(), 400],
        [new URLSearchParams({ helpful: 'yes', comment: 'a\u0000b' }).toString(), 400],
        ['helpful=perhaps', 400],
      ] as const) {
        const res = await server.inject({ method: 'POST', url: `/feedback/${code}`, headers: form, payload });
        assert.equal(res.statusCode, status, `${payload.slice(0, 40)}: ${res.body.slice(0, 200)}`);
      }
      const json = await server.inject({
        method: 'POST',
        url: `/feedback/${code}`,
        payload: { helpful: 'yes', comment: 'y'.repeat(5000) },
      });
      assert.equal(json.statusCode, 400);
      assert.equal(JSON.parse(json.body).error.code, 'validation_failed');
      const forged = await server.inject({
        method: 'POST',
        url: `/feedback/${code.slice(0, -2)}00`,
        headers: form,
        payload: 'helpful=yes',
      });
      assert.equal(forged.statusCode, 404);
      const huge = await server.inject({
        method: 'POST',
        url: `/feedback/${code}`,
        headers: form,
        payload: `helpful=yes&comment=${'z'.repeat(20_000)}`,
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(JSON.stringify(await votes()), before);

      // The status page asks under each update with a plain form, and its POST records a page vote.
      await p.app.statusPage.refresh();
      const page = await server.inject({ url: `/incidents/${id}` });
      assert.match(
        page.body,
        new RegExp(
          `<form class="helpful" method="post" action="/feedback/${updateId}\\?lang=en">.*?name="helpful" value="yes"`,
        ),
      );
      for (const answer of ['yes', 'no']) {
        const res = await server.inject({
          method: 'POST',
          url: `/feedback/${updateId}`,
          headers: form,
          payload: `helpful=${answer}`,
          remoteAddress: '198.51.100.20',
        });
        assert.equal(res.statusCode, 200, res.body);
      }
      const pageVotes = (await votes()).filter((v) => v.subscriber_id === null);
      assert.equal(pageVotes.length, 1, 'one vote per address per update, changed');
      assert.equal(pageVotes[0]?.helpful, 0);
      assert.ok(pageVotes[0]?.address_hash && !pageVotes[0].address_hash.includes('198.51'));

      // The team: a rating, and a helpdesk's running ticket count (the latest stands).
      const give = (payload: object) =>
        server.inject({ method: 'POST', url: `/api/v1/incidents/${id}/feedback`, headers: p.auth, payload });
      assert.equal((await give({ rating: 4, comment: 'Clear and on time.' })).statusCode, 201);
      assert.equal((await give({ support_tickets: 12 })).statusCode, 201);
      const latest = await give({ support_tickets: 15 });
      assert.equal(latest.statusCode, 201, latest.body);
      const bad = await give({ rating: 0 });
      assert.equal(bad.statusCode, 400);
      assert.equal((await give({})).statusCode, 400);
      const summary = await server.inject({ url: `/api/v1/incidents/${id}/feedback`, headers: p.auth });
      const s = JSON.parse(summary.body);
      assert.equal(s.helpful, 0);
      assert.equal(s.not_helpful, 2);
      assert.equal(s.team.average_rating, 4);
      assert.equal(s.team.support_tickets, 15);
      assert.equal(s.updates[0].comments[0].comment, hostile, 'JSON carries the words; pages escape them');
    } finally {
      await p.close();
      await smtp.close();
    }
  });
}
