/**
 * libphonenumber's full metadata, loaded with the first phone number or
 * country read rather than at start: a process that reads none (a worker
 * sending a fan-out) does not carry it.
 */
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import { requireOnFirstUse } from './first-use.ts';

const phoneLibrary = requireOnFirstUse<typeof import('libphonenumber-js/max')>('libphonenumber-js/max');

/** Whether `code` is a country with a telephone numbering plan (US, FR). */
export function isSupportedCountry(code: string): code is CountryCode {
  return phoneLibrary().isSupportedCountry(code);
}

/** A phone number read from `text`, nationally in `country` when it has no +; undefined when none. */
export function parsePhoneNumber(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  return phoneLibrary().parsePhoneNumberFromString(text, country);
}
