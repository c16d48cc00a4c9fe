/** The words Crier puts around an update in a message, by the subscriber's locale. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { languageOf, messageWords } from '../../src/domain/message-words.ts';

test("a locale reads its language's words, Arabic among them; an unknown one reads English", () => {
  assert.equal(languageOf('ar-EG'), 'ar');
  assert.equal(messageWords('ar-EG').helpful, 'هل كان هذا التحديث مفيدًا؟');
  assert.equal(messageWords('ar').status.resolved, 'تم الحل');
  assert.equal(messageWords('fr-CA').yes, 'Oui');
  assert.equal(languageOf('he-IL'), null);
  assert.equal(messageWords('he-IL').helpful, 'Was this update helpful?');
});
