/**
 * SMS segmentation (3GPP TS 23.038): text that fits the GSM 7-bit alphabet
 * travels 160 characters to a single message or 153 per segment of a long
 * one (extension characters take two); anything else goes as UCS-2, 70
 * units single or 67 per segment.
 */

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '\f^{}\\[~]|€';
const basic = new Set(gsmBasic);
const extension = new Set(gsmExtension);

type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

function gsmUnits(ch: string): number {
  return extension.has(ch) ? 2 : 1;
}

export function countSegments(text: string): SmsSegments {
  if (isGsm7(text)) {
    let units = 0;
    for (const ch of text) units += gsmUnits(ch);
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/**
 * Shortens `text` to fit `maxSegments`, ending with an ellipsis, without
 * splitting a character (a surrogate pair, a two-septet escape).
 */
export function fitSegments(text: string, maxSegments: number): string {
  if (countSegments(text).segments <= maxSegments) return text;
  const gsm = isGsm7(text);
  const ellipsis = gsm ? '...' : '…';
  const budget = gsm
    ? maxSegments === 1
      ? 160
      : 153 * maxSegments
    : maxSegments === 1
      ? 70
      : 67 * maxSegments;
  const limit = budget - (gsm ? 3 : 1);
  let used = 0;
  let out = '';
  for (const ch of text) {
    const cost = gsm ? gsmUnits(ch) : ch.length;
    if (used + cost > limit) break;
    used += cost;
    out += ch;
  }
  return `${out.trimEnd()}${ellipsis}`;
}
