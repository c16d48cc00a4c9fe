/**
 * A scenario's templates in the plan's other languages: `crier plan check`
 * reports a status that has a template in the page's language and none in
 * another language the plan declares, templates in a language it does not
 * declare, and a translation that reads too hard by its language's formula.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';

const plan = (languages: string, translations: string) => `
page: { name: Acme, time_zone: UTC, language: en, languages: ${languages} }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
scenarios:
  down:
    severity: SEV1
    templates:
      investigating: "Sign-in fails for every customer. Next update by {{ next_update_at }}."
      resolved: "Sign-in works again for every customer."
    translations:
${translations}
`;

function problemsOf(text: string): Record<string, string> {
  const result = readPlan(text);
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

const french = `      fr:
        investigating: "La connexion échoue pour tous les clients. Prochain point avant {{ next_update_at }}."
        resolved: "La connexion fonctionne de nouveau pour tous les clients."`;

test('every status in the page language has its template in each other language the plan declares', () => {
  assert.deepEqual(problemsOf(plan('[fr]', french)), {});
  const missing = problemsOf(
    plan(
      '[fr, de]',
      `${french}
      de:
        investigating: "Die Anmeldung schlägt für alle Kunden fehl. Nächstes Update bis {{ next_update_at }}."`,
    ),
  );
  assert.deepEqual(missing, {
    'scenarios.down.translations.de.resolved':
      'no German template for resolved: subscribers who chose German would get the English words',
  });
});

test('templates in a language the page does not declare are refused by name', () => {
  const problems = problemsOf(plan('[]', french));
  assert.match(
    problems['scenarios.down.translations.fr'] ?? '',
    /French is not among the plan's other languages/,
  );
});

test('a translation that reads too hard by its language formula is reported', () => {
  const hard = `      fr:
        investigating: "L'indisponibilité intermittente des infrastructures d'authentification centralisées occasionne actuellement des dysfonctionnements considérables affectant l'ensemble des utilisateurs professionnels internationaux. Prochain point avant {{ next_update_at }}."
        resolved: "La connexion fonctionne de nouveau pour tous les clients."`;
  const problems = problemsOf(plan('[fr]', hard));
  assert.match(
    problems['scenarios.down.translations.fr.investigating'] ?? '',
    /^reading_level: The French reading ease is -?[\d.]+ \(Kandel–Moles\), below 50/,
  );
});
