/**
 * The browser push button speaks the page's language: its label and the
 * three things its script may say afterwards come from the catalog, and
 * the subscription it makes carries the page's language where the plan
 * writes messages in it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PageLanguage } from '../../src/domain/languages.ts';
import { subscribeForm } from '../../src/http/public/subscribe-pages.ts';
import { translator } from '../../src/statuspage/i18n.ts';

const form = (language: PageLanguage, languages: PageLanguage[]) => {
  const t = translator(language);
  return subscribeForm(
    { language, t: (key, values) => t(key as Parameters<typeof t>[0], values), lang: `?lang=${language}` },
    'Acme',
    new Set(['push']),
    [],
    languages,
  );
};

const button = (html: string) => {
  const found = /<button[^>]*id="push-subscribe"[^>]*>([^<]*)<\/button>/.exec(html);
  assert.ok(found, html);
  const attrs = Object.fromEntries([...found[0].matchAll(/data-(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return { label: found[1], ...attrs };
};

test('in French the button and what its script says are French, and the subscription asks for French', () => {
  assert.deepEqual(button(form('fr', ['en', 'fr'])), {
    label: 'M’avertir dans ce navigateur',
    on: 'Les notifications sont activées dans ce navigateur',
    failed: 'L’abonnement a échoué',
    denied: 'Les notifications n’ont pas été autorisées',
    locale: 'fr',
  });
});

test('a page language the plan writes no messages in asks for none (the plan’s own applies)', () => {
  const b = button(form('ja', ['en', 'fr']));
  assert.equal(b.on, 'このブラウザーで通知がオンになりました');
  assert.equal('locale' in b, false);
});
