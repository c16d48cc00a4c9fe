/**
 * What each kind of channel can carry. Templates may have a variant per
 * kind (SMS, voice, chat, social, email subject); each kind has a length
 * limit that lint and the preview check: a call's is the time it takes to say. A channel's module declares its kind,
 * its variant and the provider's own limit (src/channels/types.ts).
 */

import { countSegments } from './sms.ts';
import { type Counting, countAs } from './social-text.ts';
import { speakingSeconds } from './speech.ts';

export const channelKinds = ['page', 'email', 'sms', 'voice', 'chat', 'social', 'push', 'webhook'] as const;
export type ChannelKind = (typeof channelKinds)[number];

/** Template variants a scenario may give beside its generic text. */
export const templateVariants = ['sms', 'voice', 'chat', 'social', 'email_subject'] as const;
export type TemplateVariant = (typeof templateVariants)[number];
/** The variants that replace a message's text (the email subject replaces its title). */
export type TextVariant = Exclude<TemplateVariant, 'email_subject'>;

/** A call says the SMS text when the words have no voice text of their own: both are short and plain. */
const fallbacks: Partial<Record<TextVariant, TextVariant>> = { voice: 'sms' };

/**
 * Which of `variants` a channel taking `variant` uses: its own, else the one it falls back to,
 * else none (the generic text).
 */
export function variantUsed(
  variants: Partial<Record<TemplateVariant, string>>,
  variant: TextVariant | null,
): TextVariant | null {
  if (variant === null) return null;
  if (variants[variant] !== undefined) return variant;
  const fallback = fallbacks[variant];
  return fallback !== undefined && variants[fallback] !== undefined ? fallback : null;
}

export interface ChannelLimits {
  /** Segments an SMS may use. */
  sms_segments: number;
  /** Characters, per kind; null is no limit. */
  chat: number;
  social: number;
  push: number;
  email_subject: number;
  /** Seconds a call's text may take to say once. */
  voice_seconds: number;
}

/**
 * Defaults: three SMS segments (beyond that carriers deliver out of order or
 * not at all); 280 characters for social posts, the strictest common network;
 * 3,000 for chat, under Slack's 3,000-character section block; 78 for an
 * email subject (RFC 5322's line advice); 240 for a push notification body;
 * 45 seconds for a call, said once (it is said twice, with a pause between:
 * past a minute and a half on the phone, listeners stop taking it in).
 */
export const defaultLimits: ChannelLimits = {
  sms_segments: 3,
  chat: 3000,
  social: 280,
  push: 240,
  email_subject: 78,
  voice_seconds: 45,
};

export interface LengthCheck {
  ok: boolean;
  /** Characters, as the network counts them (code points unless it says otherwise). */
  length: number;
  /** For SMS. */
  segments?: number;
  encoding?: string;
  /** For a call: how long it takes to say once, estimated (src/domain/speech.ts). */
  seconds?: number;
  limit: number | null;
  unit: 'characters' | 'segments' | 'seconds';
}

/**
 * Whether a rendered text fits a channel kind (or an email subject), and the
 * provider's own limit in characters when it has one (`maxLength`); a call's
 * text, whether it can be said in time in `language`.
 */
export function checkLength(
  kind: ChannelKind | 'email_subject',
  text: string,
  limits: ChannelLimits = defaultLimits,
  maxLength: number | null = null,
  counting: Counting = 'code_points',
  language = 'en',
): LengthCheck {
  const length = countAs(counting, text);
  switch (kind) {
    case 'voice': {
      const seconds = speakingSeconds(text, language);
      return {
        ok: seconds <= limits.voice_seconds,
        length,
        seconds,
        limit: limits.voice_seconds,
        unit: 'seconds',
      };
    }
    case 'sms': {
      const s = countSegments(text);
      return {
        ok: s.segments <= limits.sms_segments,
        length,
        segments: s.segments,
        encoding: s.encoding,
        limit: limits.sms_segments,
        unit: 'segments',
      };
    }
    case 'chat':
    case 'social':
    case 'push':
    case 'email_subject': {
      const limit = maxLength === null ? limits[kind] : Math.min(limits[kind], maxLength);
      return { ok: length <= limit, length, limit, unit: 'characters' };
    }
    case 'email':
    case 'page':
    case 'webhook':
      return { ok: maxLength === null || length <= maxLength, length, limit: maxLength, unit: 'characters' };
  }
}
