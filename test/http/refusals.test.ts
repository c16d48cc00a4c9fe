/**
 * Every refusal the subscribe and manage forms can say maps from the API's
 * error, and each is in every language's catalog.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrierError } from '../../src/domain/errors.ts';
import { pageLanguages } from '../../src/domain/languages.ts';
import { refusalKey, refusalKeys } from '../../src/http/public/refusals.ts';
import { translator } from '../../src/statuspage/i18n.ts';
import { en } from '../../src/statuspage/messages/en.ts';

const invalid = (path: string, message = 'is not valid') =>
  new CrierError('validation_failed', 'The subscription is not valid.', [{ path, message }]);

test('the API’s error codes and fields map to the form’s reasons', () => {
  const cases: [CrierError, string][] = [
    [new CrierError('rate_limited', 'Too many.'), 'refused.rate_limited'],
    [new CrierError('channel_not_offered', 'No.', { kind: 'sms' }), 'refused.channel_not_offered'],
    [new CrierError('database_unavailable', 'Down.'), 'refused.unavailable'],
    [new CrierError('internal_error', 'Oops.'), 'refused.unavailable'],
    [new CrierError('conflict', 'Already.'), 'refused.invalid'],
    [invalid('email'), 'refused.email'],
    [invalid('contact', 'phone: is not a valid phone number'), 'refused.phone'],
    [invalid('contact', 'voice: is not a valid phone number'), 'refused.phone'],
    [invalid('contact', 'give exactly one of email, phone'), 'refused.one_contact'],
    [
      invalid('contact', 'device_token: an APNs device token is 64 or more hexadecimal digits'),
      'refused.invalid',
    ],
    [invalid('webhook', 'points at an address Crier does not send to'), 'refused.address'],
    [invalid('locale'), 'refused.locale'],
    [invalid('component_ids'), 'refused.components'],
    [invalid('component_ids.3'), 'refused.components'],
    [invalid('constructor'), 'refused.invalid'],
    [new CrierError('validation_failed', 'Choose at most 500 components.'), 'refused.invalid'],
  ];
  for (const [error, key] of cases) assert.equal(refusalKey(error), key, JSON.stringify(error.details));
});

test('each reason is in every language’s catalog, each its own words', () => {
  for (const key of refusalKeys) {
    assert.ok(Object.hasOwn(en, key), key);
    const said = pageLanguages.map((l) => translator(l)(key as keyof typeof en));
    assert.equal(new Set(said).size, pageLanguages.length, `${key} is translated in each language`);
  }
});
