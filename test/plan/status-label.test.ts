/**
 * `{{ status }}` stays the same word in every language (templates compare
 * it); `{{ status_label }}` is the status as each language's readers see it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTemplate } from '../../src/domain/templates.ts';
import { templateVariables, type VariableInput } from '../../src/plan/variables.ts';

const input: VariableInput = {
  plan: null,
  pageName: 'Acme',
  fallbackTimeZone: 'UTC',
  incident: { id: 'inc_1', name: 'Slow pages', severity: null, eta: null },
  status: 'investigating',
  componentNames: ['API'],
  impact: null,
  workaround: null,
  nextUpdateAt: null,
  incidentUrl: 'https://status.acme.example/incidents/inc_1',
  now: '2026-01-16T13:30:00.000Z',
};

test("a template's status label is in its language, its status word the same in all", () => {
  const fr = templateVariables({ ...input, language: 'fr' });
  const en = templateVariables(input);
  assert.equal(fr.status_label, 'Analyse en cours');
  assert.equal(en.status_label, 'Investigating');
  assert.equal(fr.status, 'investigating');
  assert.equal(en.status, 'investigating');
  const source = '{{ status_label }} : {% if status == "investigating" %}nous cherchons{% endif %}.';
  assert.deepEqual(renderTemplate(source, fr, 'UTC', 'fr'), {
    ok: true,
    text: 'Analyse en cours : nous cherchons.',
  });
});

test('each status has a label in each language', () => {
  for (const status of ['investigating', 'identified', 'monitoring', 'resolved'] as const) {
    const de = templateVariables({ ...input, status, language: 'de' });
    const en = templateVariables({ ...input, status });
    assert.ok(de.status_label.length > 0, status);
    assert.notEqual(de.status_label, en.status_label, `${status} in German`);
  }
});
