/**
 * libphonenumber's full metadata, loaded with the first phone number or
 * country read rather than at start: a process that reads none (a worker
 * sending a fan-out) does not carry it (docs/performance.md, "Peak RSS").
 */
import { createRequire } from 'node:module';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';

const require = createRequire(import.meta.url);
let library: typeof import('libphonenumber-js/max') | undefined;
const phoneLibrary = () =>
  (library ??= require('libphonenumber-js/max') as typeof import('libphonenumber-js/max'));

/** Whether `code` is a country with a telephone numbering plan (US, FR). */
export function isSupportedCountry(code: string): code is CountryCode {
  return phoneLibrary().isSupportedCountry(code);
}

/** A phone number read from `text`, nationally in `country` when it has no +; undefined when none. */
export function parsePhoneNumber(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  return phoneLibrary().parsePhoneNumberFromString(text, country);
}
