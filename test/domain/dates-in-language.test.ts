/**
 * A day and time in each language Crier writes messages in: the day and
 * month in that language's words and order, the 24-hour clock, the page's
 * time zone by its short name. English keeps "Fri 16 Jan, 14:30 CET".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageLanguages } from '../../src/domain/languages.ts';
import {
  formatDateTime,
  formatTime,
  renderTemplate,
  type TemplateVariables,
} from '../../src/domain/templates.ts';
import { when } from '../../src/plan/variables.ts';

const at = '2026-01-16T13:30:00.000Z';

test('a day and time is written in each language', () => {
  const written = Object.fromEntries(pageLanguages.map((l) => [l, formatDateTime(at, 'Europe/Paris', l)]));
  assert.equal(written.en, 'Fri 16 Jan, 14:30 CET');
  assert.equal(written.fr, 'ven. 16 janv., 14:30 CET');
  // The others by their words for Friday and January (the punctuation is the Intl data's).
  assert.match(written.de ?? '', /^Fr\., 16\. Jan\., 14:30 CET$/);
  assert.match(written.es ?? '', /^vie,? 16 ene,? 14:30 CET$/);
  assert.match(written.pt ?? '', /^sex\.?,? 16 de jan\.?,? 14:30 CET$/);
  assert.match(written.ja ?? '', /^1月16日\(金\) 14:30 CET$/);
  assert.match(written.ar ?? '', /^الجمعة، 16 يناير، 14:30 CET$/);
  for (const l of pageLanguages) assert.equal(formatTime(at, 'Europe/Paris', l), '14:30 CET', l);
});

test('a time today has no day; on another day it has the day, in the language asked for', () => {
  assert.equal(when(at, '2026-01-16T08:00:00.000Z', 'Europe/Paris', 'fr'), '14:30 CET');
  assert.equal(when(at, '2026-01-15T22:00:00.000Z', 'Europe/Paris', 'fr'), 'ven. 16 janv., 14:30 CET');
  assert.equal(when(at, '2026-01-15T22:00:00.000Z', 'UTC', 'en'), 'Fri 16 Jan, 13:30 UTC');
});

test("a template's datetime filter writes the day in the template's language", () => {
  const vars: TemplateVariables = {
    components: 'API',
    component_list: ['API'],
    impact: '',
    status: 'investigating',
    status_label: 'Investigating',
    eta: null,
    next_update_at: null,
    workaround: null,
    incident_url: 'https://status.acme.example/incidents/1',
    incident_name: 'Slow pages',
    page_name: 'Acme',
    severity: null,
  };
  const source = `Début : {{ "${at}" | datetime }}`;
  assert.deepEqual(renderTemplate(source, vars, 'Europe/Paris', 'fr'), {
    ok: true,
    text: 'Début : ven. 16 janv., 14:30 CET',
  });
  assert.deepEqual(renderTemplate(source, vars, 'Europe/Paris'), {
    ok: true,
    text: 'Début : Fri 16 Jan, 14:30 CET',
  });
});
