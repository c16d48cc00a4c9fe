/**
 * A draft's words in another language, typed by hand, are linted as the
 * plan's templates in that language are: the reading level by the
 * language's own formula, and each channel's length (an SMS's segments in
 * the encoding its characters need). The findings name the language and
 * come back with the draft, and count before publication like any other.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { applyTestPlan, planSecrets } from '../helpers/plan.ts';

const plan = `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC, languages: [fr, de] }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sms] }
channels:
  sms: { type: sms-twilio, account: AC1, token: env:TEST_TWILIO_TOKEN, from: "+15550100", updates: all }
lint:
  limits: { sms_segments: 2 }
`;

const english =
  'Card payments fail for some customers in Europe. We are fixing it. Next update by 14:30 UTC.';
const plainFrench =
  'Les paiements par carte échouent pour certains clients en Europe. Nous corrigeons. Prochain point à 14h30.';
// One long sentence of long words: Kandel–Moles puts it far below the plan's reading ease.
const heavyFrench =
  "L'indisponibilité intermittente des infrastructures transactionnelles internationales occasionne l'impossibilité momentanée d'effectuer systématiquement les opérations monétiques authentifiées, conformément aux réglementations européennes applicables, particulièrement concernant les établissements bancaires partenaires.";

for (const dialect of dialects) {
  test(`a draft's French and German are linted in their own languages, the findings naming them [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { ...planSecrets, CRIER_DEMO: 'false' } });
    try {
      await applyTestPlan(t.app.systemCtx, plan);
      const incident = await declareIncident(t.app.systemCtx, {
        name: 'Card payments fail',
        body: english,
        severity: 'SEV3',
      });
      const draft = async (translations: unknown) => {
        const res = await t.app.server.inject({
          method: 'POST',
          url: `/api/v1/incidents/${incident.id}/drafts`,
          headers: t.auth('comms_lead'),
          payload: { status: 'identified', audience: 'public', body: english, translations },
        });
        assert.equal(res.statusCode, 201, res.body);
        return JSON.parse(res.body) as {
          id: string;
          lint: { code: string; language?: string; channel?: string; message: string }[];
        };
      };

      const clean = await draft({ fr: { body: plainFrench } });
      assert.deepEqual(
        clean.lint.filter((p) => p.language !== undefined),
        [],
        'plain French passes',
      );

      const heavy = await draft({
        fr: {
          body: heavyFrench,
          variants: { sms: `Les paiements échouent. ${'Nous enquêtons. '.repeat(12)}` },
        },
        de: {
          body: 'Das Bezahlen mit Karte geht bei einigen Kunden nicht. Wir sind dran. Neue Info um 14:30.',
          variants: { sms: `Kartenzahlungen schlagen fehl. ${'Wir arbeiten daran. '.repeat(20)}` },
        },
      });
      const french = heavy.lint.filter((p) => p.language === 'fr');
      assert.ok(
        french.some(
          (p) =>
            p.code === 'reading_level' &&
            /^French: The French reading ease is .*Kandel–Moles/.test(p.message),
        ),
        JSON.stringify(french),
      );
      assert.ok(
        french.some(
          (p) =>
            p.code === 'too_long' &&
            p.channel === 'sms' &&
            /^French: The SMS takes \d segments \(UCS-2\)/.test(p.message),
        ),
        'the French SMS needs UCS-2 ("ê" is not in GSM-7) and is too long',
      );
      const german = heavy.lint.filter((p) => p.language === 'de');
      assert.deepEqual(
        german.map((p) => [p.code, p.channel]),
        [['too_long', 'sms']],
        'the German SMS variant is too long; its body reads well',
      );
      assert.match(
        german[0]?.message ?? '',
        /^German: The SMS takes \d segments \(GSM-7\); the limit is 2\./,
      );
      assert.equal(
        heavy.lint.filter((p) => p.language === undefined && p.code === 'reading_level').length,
        0,
        'the English words are linted as before',
      );

      // The findings hold publication back like any other: a comms lead overrides them with a reason.
      const refused = await t.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/updates/${heavy.id}/publish`,
        headers: t.auth('comms_lead'),
        payload: {},
      });
      assert.equal(refused.statusCode, 422, refused.body);
      assert.equal(JSON.parse(refused.body).error.code, 'lint_failed');

      // Editing the draft lints the new words.
      const edited = await t.app.server.inject({
        method: 'PATCH',
        url: `/api/v1/incidents/${incident.id}/updates/${heavy.id}/draft`,
        headers: t.auth('comms_lead'),
        payload: { translations: { fr: { body: plainFrench } } },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      const after = JSON.parse(edited.body) as { lint: { language?: string }[] };
      assert.deepEqual(
        after.lint.filter((p) => p.language !== undefined),
        [],
      );
    } finally {
      await t.close();
    }
  });
}
