/**
 * What each kind of channel can carry. Templates may have a variant per
 * kind (SMS, chat, social, email subject); each kind has a length limit
 * that lint and the preview check.
 */
import { countSegments } from './sms.ts';

export const channelKinds = ['page', 'email', 'sms', 'chat', 'social', 'push', 'webhook'] as const;
export type ChannelKind = (typeof channelKinds)[number];

/** Template variants a scenario may give beside its generic text. */
export const templateVariants = ['sms', 'chat', 'social', 'email_subject'] as const;
export type TemplateVariant = (typeof templateVariants)[number];

/** The kind of a configured channel, from its provider type (`sms-twilio` → sms). */
export function channelKindOf(type: string): ChannelKind {
  const t = type.toLowerCase();
  if (t.startsWith('sms')) return 'sms';
  if (t.startsWith('email')) return 'email';
  if (/^(slack|teams|discord|mattermost|google-chat|googlechat|chat)/.test(t)) return 'chat';
  if (/^(mastodon|bluesky|x|twitter|social)(-|$)/.test(t)) return 'social';
  if (t.startsWith('webpush') || t.startsWith('push')) return 'push';
  if (t === 'status-page' || t === 'page' || t === 'rss' || t === 'atom') return 'page';
  return 'webhook';
}

/** The variant a channel kind renders, if the template has it; otherwise the generic text. */
export function variantFor(kind: ChannelKind): TemplateVariant | null {
  switch (kind) {
    case 'sms':
      return 'sms';
    case 'chat':
      return 'chat';
    case 'social':
      return 'social';
    case 'email':
    case 'page':
    case 'push':
    case 'webhook':
      return null;
  }
}

export interface ChannelLimits {
  /** Segments an SMS may use. */
  sms_segments: number;
  /** Characters, per kind; null is no limit. */
  chat: number;
  social: number;
  push: number;
  email_subject: number;
}

/**
 * Defaults: three SMS segments (beyond that carriers deliver out of order or
 * not at all); 280 characters for social posts, the strictest common network;
 * 3,000 for chat, under Slack's 3,000-character section block; 78 for an
 * email subject (RFC 5322's line advice); 240 for a push notification body.
 */
export const defaultLimits: ChannelLimits = {
  sms_segments: 3,
  chat: 3000,
  social: 280,
  push: 240,
  email_subject: 78,
};

export interface LengthCheck {
  ok: boolean;
  /** Characters (code points). */
  length: number;
  /** For SMS. */
  segments?: number;
  encoding?: string;
  limit: number | null;
  unit: 'characters' | 'segments';
}

/** Whether a rendered text fits a channel kind (or an email subject). */
export function checkLength(
  kind: ChannelKind | 'email_subject',
  text: string,
  limits: ChannelLimits = defaultLimits,
): LengthCheck {
  const length = [...text].length;
  switch (kind) {
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
      const limit = limits[kind];
      return { ok: length <= limit, length, limit, unit: 'characters' };
    }
    case 'email':
    case 'page':
    case 'webhook':
      return { ok: true, length, limit: null, unit: 'characters' };
  }
}
