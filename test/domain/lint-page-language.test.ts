/**
 * A page whose language is not English: its own words are not held to
 * English phrasing (they would always lack an English "next update"), but
 * to its language's reading formula, each channel's length, and jargon.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintMessage } from '../../src/domain/lint.ts';

const french = 'Le paiement par carte échoue pour certains clients en Europe. Prochain point à 14:30 CET.';

test("a French page's message is not refused for lacking English phrases", () => {
  assert.deepEqual(lintMessage(french, { status: 'investigating', language: 'fr' }), []);
  // Read as English, the same words say no impact; a French closing message, nothing working again.
  assert.deepEqual(
    lintMessage(french, { status: 'investigating' }).map((p) => p.code),
    ['missing_impact'],
  );
  const closing = 'Le paiement par carte fonctionne de nouveau pour tous les clients.';
  assert.deepEqual(
    lintMessage(closing, { status: 'resolved' }).map((p) => p.code),
    ['missing_recovery'],
  );
  assert.deepEqual(lintMessage(closing, { status: 'resolved', language: 'fr' }), []);
});

test("a French page's message is still held to jargon, its reading formula and lengths", () => {
  const jargon = lintMessage(`${french} Le serveur db-prod-3 de switchyard renvoie HTTP 503.`, {
    status: 'investigating',
    language: 'fr',
    internalTerms: ['switchyard'],
  });
  assert.deepEqual(
    jargon.map((p) => p.code),
    ['jargon', 'jargon', 'jargon'],
  );
  assert.deepEqual(jargon.map((p) => p.match).sort(), ['HTTP 503', 'db-prod-3', 'switchyard']);
  const hard =
    "Considérant l'ensemble des perturbations intermittentes constatées sur l'infrastructure transactionnelle internationale, nos équipes pluridisciplinaires procèdent actuellement à l'identification approfondie des dysfonctionnements.";
  const codes = lintMessage(hard, { status: 'investigating', language: 'fr' }).map((p) => p.code);
  assert.deepEqual(codes, ['reading_level']);
  const sms = lintMessage(french.repeat(6), { status: 'investigating', language: 'fr', kind: 'sms' });
  assert.deepEqual(
    sms.map((p) => p.code),
    ['too_long'],
  );
});

test('an English page is linted as before', () => {
  const codes = lintMessage('We are looking into it.', { status: 'investigating', language: 'en' }).map(
    (p) => p.code,
  );
  assert.deepEqual(codes, ['missing_impact', 'missing_next_update']);
});
