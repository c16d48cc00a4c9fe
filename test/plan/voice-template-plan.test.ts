/**
 * A scenario's `voice` text, checked by `crier plan check`: it renders like
 * the other variants, a call's text too long to listen to is reported with
 * its estimated duration (in each language the plan writes in), and the
 * plan may set the limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';

const long = Array.from({ length: 14 }, () => 'We are sorry for the trouble this causes you.').join(' ');
const longFr = Array.from({ length: 18 }, () => 'Nous sommes désolés pour la gêne occasionnée.').join(' ');

const plan = (voice: string, voiceFr: string, limits = '') => `
page: { name: Acme, time_zone: UTC, language: en, languages: [fr] }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, voice] }
channels:
  voice: { type: voice-twilio, account: AC1, token: tok, from: "+15550100" }
lint: { limits: { ${limits} } }
scenarios:
  down:
    severity: SEV1
    templates:
      investigating:
        text: "Sign-in fails for every customer. Next update by {{ next_update_at }}."
        voice: "Sign-in fails for every customer. ${voice} Next update by {{ next_update_at }}."
      resolved: "Sign-in works again for every customer."
    translations:
      fr:
        investigating:
          text: "La connexion échoue pour tous les clients. Prochain point avant {{ next_update_at }}."
          voice: "La connexion échoue pour tous les clients. ${voiceFr} Prochain point avant {{ next_update_at }}."
        resolved: "La connexion fonctionne de nouveau pour tous les clients."
`;

function problemsOf(text: string): Record<string, string> {
  const result = readPlan(text);
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

test('a voice text short enough to listen to passes plan check', () => {
  assert.deepEqual(problemsOf(plan('We are on it.', 'Nous y travaillons.')), {});
});

test('a voice text too long to listen to is reported with its duration, in each language', () => {
  const problems = problemsOf(plan(long, longFr));
  assert.match(
    problems['scenarios.down.templates.investigating.voice'] ?? '',
    /^too_long: The call takes about 5\d seconds to say, and is said twice; the limit is 45 seconds/,
  );
  assert.match(
    problems['scenarios.down.translations.fr.investigating.voice'] ?? '',
    /^too_long: the call takes about 5\d seconds to say in French; the limit is 45 seconds$/,
  );
  assert.equal(problems['scenarios.down.templates.investigating.text'], undefined, 'the text is not a call');
});

test('the plan sets the limit in seconds, within bounds', () => {
  assert.deepEqual(problemsOf(plan(long, longFr, 'voice_seconds: 90')), {});
  assert.match(problemsOf(plan('', '', 'voice_seconds: 2'))['lint.limits.voice_seconds'] ?? '', /5/);
});
