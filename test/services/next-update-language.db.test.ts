/**
 * The next update's time in each message's language: when it falls on
 * another day, its day is written in the words of the language the text is
 * in ("Sat 5 Dec" in English, "sam. 5 déc." in French), in the published
 * words, their translations, a correction, the ETA a template names and
 * the preview. The
 * clock is fixed late in the evening, so the date is there at any hour the
 * test runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import { correctUpdate } from '../../src/services/updates/correct.ts';
import { createDraft } from '../../src/services/updates/create.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { previewUpdate } from '../../src/services/updates/preview.ts';
import type { Db } from '../../src/store/db.ts';
import { translationsOf } from '../../src/store/json.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

const english = {
  investigating: 'We are looking into slow pages for every customer. Next update by {{ next_update_at }}.',
  identified: 'We found why pages are slow for every customer. We expect a fix by {{ eta }}.',
  resolved: 'Pages load at their usual speed again for all customers.',
};
const french = {
  investigating:
    'Nous enquêtons sur des pages lentes pour tous les clients. Prochain point avant {{ next_update_at }}.',
  identified:
    'Nous savons pourquoi les pages sont lentes pour tous les clients. Correctif attendu {{ eta }}.',
  resolved: 'Les pages se chargent de nouveau à leur vitesse habituelle pour tous les clients.',
};
const templates = (words: Record<string, string>, indent: string) =>
  Object.entries(words)
    .map(([status, text]) => `${indent}${status}: ${JSON.stringify(text)}`)
    .join('\n');

const severities = `severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
`;

/** A page in English whose scenario is also written in French. */
const englishPage = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: Europe/Paris, language: en, languages: [fr] }
${severities}scenarios:
  api-slow:
    impact: minor
    severity: SEV3
    templates:
${templates(english, '      ')}
    translations:
      fr:
${templates(french, '        ')}
`;

/** A page in French; its updates are written by hand. */
const frenchPage = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: Europe/Paris, language: fr, languages: [en] }
${severities}`;

eachDialect(
  test,
  "a next update on another day is written in each message's language, the page's words and each translation",
  async (db) => {
    // 23:30 in Paris on Friday: the 2-hour cadence puts the next update at 01:30 on Saturday.
    const clock = new TestClock('2026-12-04T22:30:00.000Z');
    const admin = testCtx(db, { clock });
    await applyPlan(admin, { source: englishPage });

    const incident = await declareIncident(admin, {
      name: 'Slow pages',
      scenario: 'api-slow',
      eta: '2026-12-05T07:00:00.000Z',
    });
    const first = incident.incident_updates[0];
    assert.ok(first);
    assert.equal(first.state, 'published');
    assert.equal(
      first.body,
      'We are looking into slow pages for every customer. Next update by Sat 5 Dec, 01:30 CET.',
    );
    assert.equal(
      (await translations(db, first.id)).fr?.body,
      'Nous enquêtons sur des pages lentes pour tous les clients. Prochain point avant sam. 5 déc., 01:30 CET.',
    );

    // A draft's preview writes the time as it would be, in the language asked for.
    const draft = await createDraft(admin, incident.id, {
      status: 'identified',
      audience: 'public',
      body: 'We found why pages are slow for every customer. Next update by {{ next_update_at }}.',
      translations: {
        fr: {
          body: 'Nous savons pourquoi les pages sont lentes. Prochain point avant {{ next_update_at }}.',
        },
      },
    });
    const inFrench = await previewUpdate(admin, incident.id, draft.id, { language: 'fr' });
    assert.equal(inFrench.language, 'fr');
    assert.ok(inFrench.channels.length > 0);
    for (const c of inFrench.channels) {
      assert.equal(
        c.text,
        'Nous savons pourquoi les pages sont lentes. Prochain point avant sam. 5 déc., 01:30 CET.',
      );
    }
    const inEnglish = await previewUpdate(admin, incident.id, draft.id);
    assert.ok(inEnglish.channels.length > 0);
    for (const c of inEnglish.channels) assert.match(c.text, /Next update by Sat 5 Dec, 01:30 CET\.$/);

    // A template's ETA is written in its language too.
    const fromTemplate = await createDraft(admin, incident.id, { status: 'identified', audience: 'public' });
    assert.match(fromTemplate.body, /We expect a fix by Sat 5 Dec, 08:00 CET\.$/);
    assert.match(
      (await translations(db, fromTemplate.id)).fr?.body ?? '',
      /Correctif attendu sam\. 5 déc\., 08:00 CET\.$/,
    );
  },
);

eachDialect(
  test,
  "a page that speaks French writes its own words' day in French and the English translation's in English",
  async (db) => {
    const clock = new TestClock('2026-12-04T22:30:00.000Z');
    const admin = testCtx(db, { clock });
    await applyPlan(admin, { source: frenchPage });
    const incident = await declareIncident(admin, { name: 'Pages lentes', severity: 'SEV3' });

    const posted = await postUpdate(admin, incident.id, {
      audience: 'public',
      body: 'Certaines pages sont lentes pour tous les clients. Prochain point avant {{ next_update_at }}.',
      translations: {
        en: { body: 'Some pages load slowly for every customer. Next update by {{ next_update_at }}.' },
      },
      // Lint reads English rules; these words are French.
      lint_override: { reason: 'French words' },
    });
    assert.equal(posted.state, 'published');
    assert.equal(
      posted.body,
      'Certaines pages sont lentes pour tous les clients. Prochain point avant sam. 5 déc., 01:30 CET.',
    );
    assert.equal(
      (await translations(db, posted.id)).en?.body,
      'Some pages load slowly for every customer. Next update by Sat 5 Dec, 01:30 CET.',
    );

    // A correction writes the time its publication set, in the page's language.
    clock.advance(10 * 60_000);
    const corrected = await correctUpdate(admin, incident.id, posted.id, {
      body: 'Certaines pages sont lentes pour les clients en Europe. Prochain point avant {{ next_update_at }}.',
      lint_override: { reason: 'French words' },
    });
    assert.match(corrected.body, /Prochain point avant sam\. 5 déc\., 01:30 CET\.$/);
  },
);

async function translations(db: Db, updateId: string) {
  const row = await db
    .selectFrom('incident_updates')
    .select('translations')
    .where('id', '=', updateId)
    .executeTakeFirstOrThrow();
  return translationsOf(row);
}
