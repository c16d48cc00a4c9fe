/** An email in Arabic reads right to left; every other language's left to right. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderEmail } from '../../src/channels/email-render.ts';
import { messageWords } from '../../src/domain/message-words.ts';

test("an email's <html dir> follows the subscriber's language, with its words", () => {
  const message = {
    id: 'd1',
    kind: 'incident' as const,
    title: 'بطء في تسجيل الدخول',
    text: 'نحقق في المشكلة.',
    url: 'https://status.example.com/ar/incidents/1',
  };
  const arabic = renderEmail({ ...message, words: messageWords('ar-EG') });
  assert.match(arabic.html, /^<!doctype html><html dir="rtl"><body/);
  assert.match(arabic.html, /<a href="https:\/\/status\.example\.com\/ar\/incidents\/1">عرض التفاصيل<\/a>/);
  assert.match(arabic.text, /التفاصيل: https:\/\/status\.example\.com\/ar\/incidents\/1/);
  assert.match(
    renderEmail({ ...message, words: messageWords('fr') }).html,
    /^<!doctype html><html dir="ltr">/,
  );
  assert.match(
    renderEmail(message).html,
    /^<!doctype html><html dir="ltr">/,
    'English when no words are given',
  );
});
