/**
 * Turning a delivery's subject (an incident update, a maintenance notice, a
 * confirmation) into a Message. The shared part is read once per subject and
 * cached; each subscriber adds its own links and the delivery id.
 */
import type { Message, SubjectMessage, WebhookEvent } from '../channels/types.ts';
import { type ChannelKind, type TextVariant, variantUsed } from '../domain/channel-limits.ts';
import { languageOf, messageWords } from '../domain/message-words.ts';

/** What a subject says to everyone, from the use cases (the composition root hands it over). */
export type SubjectSource = (subjectType: string, subjectId: string) => Promise<SubjectMessage>;

/** `url` (on an audience's private page) signed for one subscriber; the address as it was when it cannot be. */
export type PrivateLinkSigner = (subscriberId: string, url: string) => Promise<string>;

/** The signed code of one subscriber's feedback link for one update (src/services/feedback/links.ts). */
export type FeedbackCodes = (updateId: string, subscriberId: string) => Promise<string>;

/** What signs each subscriber's own links, from the use cases (the composition root hands them over). */
export interface LinkSigners {
  signPrivate?: PrivateLinkSigner | undefined;
  feedbackCodes?: FeedbackCodes | undefined;
  /** The plan's language: a confirmation to a subscriber who chose none is written in it. */
  pageLanguage?: (() => Promise<string>) | undefined;
}

/**
 * The text and title for one channel: the template variant its module takes
 * (SMS, voice, chat, social) where the update has one (a call: else the SMS
 * text), else the generic text; the
 * email subject for an email channel.
 */
function forChannel(
  base: SubjectMessage,
  kind: ChannelKind | undefined,
  variant: TextVariant | null,
  language: string | null,
): Omit<SubjectMessage, 'variants' | 'translations'> {
  const { variants: own = {}, asksFeedback: _asks, translations = {}, ...original } = base;
  const translated = language === null ? undefined : translations[language];
  const rest = translated ? { ...original, title: translated.title, text: translated.text } : original;
  const variants = translated ? (translated.variants ?? {}) : own;
  if (kind === undefined) return rest;
  const used = variantUsed(variants, variant);
  const text = (used && variants[used]) || rest.text;
  const title = (kind === 'email' && variants.email_subject) || rest.title;
  return { ...rest, text, title };
}

export interface RenderTarget {
  deliveryId: string;
  subjectType: string;
  subjectId: string;
  /** The subscriber's manage-and-unsubscribe token; null for a broadcast, which carries no such links. */
  token: string | null;
  /** Whom it goes to; a link to a private page is signed for them. */
  subscriberId?: string;
  confirmToken: string | null;
  /** A webhook subscriber's signing secret, handed over in its welcome message. */
  secret: string | null;
  /** The kind of channel it goes out on (an email's subject, a webhook's event). */
  channelKind?: ChannelKind;
  /** The template variant that channel's module takes. */
  variant?: TextVariant | null;
  /** The subscriber's locale (BCP 47): the update's words in its language where it has them. */
  locale?: string | null;
}

export class Renderer {
  readonly #subjects: SubjectSource;
  readonly #publicUrl: string;
  readonly #documentation: string;
  readonly #signPrivate: PrivateLinkSigner | undefined;
  readonly #feedbackCodes: FeedbackCodes | undefined;
  readonly #pageLanguage: () => Promise<string>;
  readonly #cache = new Map<string, Promise<SubjectMessage>>();
  /** Each subject's message for each kind and variant of channel, worked out once per fan-out rather than per message. */
  readonly #kinds = new WeakMap<
    SubjectMessage,
    Map<string, Omit<SubjectMessage, 'variants' | 'translations'>>
  >();
  /** Each subject's event serialized up to where each subscriber's `meta` goes (see #eventJson). */
  readonly #eventHeads = new WeakMap<object, string | null>();

  constructor(subjects: SubjectSource, publicUrl: string, signers: LinkSigners = {}) {
    this.#subjects = subjects;
    this.#publicUrl = publicUrl;
    this.#documentation = `${publicUrl}/docs/webhooks`;
    this.#signPrivate = signers.signPrivate;
    this.#feedbackCodes = signers.feedbackCodes;
    this.#pageLanguage = signers.pageLanguage ?? (async () => 'en');
  }

  /** The words of a message Crier writes itself: the subscriber's language, else the plan's. */
  async #ownWords(locale: string | null | undefined) {
    const language = languageOf(locale) ?? languageOf(await this.#pageLanguage()) ?? 'en';
    const words = messageWords(language);
    return { language, w: words, framed: language === 'en' ? {} : { words, language } };
  }

  async render(t: RenderTarget): Promise<Message> {
    const manageUrl = t.token === null ? undefined : `${this.#publicUrl}/unsubscribe/${t.token}`;
    const links = manageUrl ? { manageUrl, unsubscribeUrl: manageUrl } : {};
    const documentation = this.#documentation;
    if (t.subjectType === 'confirmation') {
      // The confirmation page opens in the same language (`?lang=`).
      const { language, w, framed } = await this.#ownWords(t.locale);
      return {
        id: t.deliveryId,
        kind: 'confirmation',
        title: w.confirm,
        text: t.channelKind === 'chat' ? w.confirmChat : w.confirmText,
        confirmUrl: `${this.#publicUrl}/confirm/${t.confirmToken ?? ''}?lang=${language}`,
        ...links,
        ...framed,
      };
    }
    if (t.subjectType === 'verification') {
      // Answered by echoing the challenge (as Slack's url_verification asks), or confirmed by a person
      // at confirm_url when the receiver cannot answer; signed like every later event (webhook.ts).
      const challenge = t.confirmToken ?? '';
      const confirmUrl = `${this.#publicUrl}/confirm/${challenge}`;
      const { w, framed } = await this.#ownWords(t.locale);
      return {
        ...framed,
        id: t.deliveryId,
        kind: 'verification',
        title: w.verifyTitle,
        text: w.verifyText,
        challenge,
        confirmUrl,
        event: {
          type: 'subscription.verification',
          challenge,
          subscription: {
            status: 'pending',
            confirm_url: confirmUrl,
            ...(t.secret && { secret: t.secret }),
          },
          meta: { unsubscribe: manageUrl, documentation },
        },
        ...links,
      };
    }
    if (t.subjectType === 'welcome') {
      const { w, framed } = await this.#ownWords(t.locale);
      return {
        ...framed,
        id: t.deliveryId,
        kind: 'welcome',
        title: w.welcomeTitle,
        text: w.welcomeText,
        url: this.#publicUrl,
        event: {
          meta: { unsubscribe: manageUrl, documentation },
          subscription: {
            status: 'subscribed',
            // Standard Webhooks secret for verifying every later message; sent once, to this URL only.
            ...(t.secret && { secret: t.secret }),
          },
        },
        ...links,
      };
    }
    const subject = await this.#base(t.subjectType, t.subjectId);
    // The subscriber's language where the update was written in it; else the page's, as it was written.
    const wanted = languageOf(t.locale);
    const language = wanted !== null && subject.translations?.[wanted] ? wanted : null;
    const shared = this.#forChannel(subject, t.channelKind, t.variant ?? null, language);
    const wordsIn = language ?? subject.language ?? 'en';
    // A private incident's link leads to its audience's private page, which opens only by a link signed for the reader.
    const base =
      this.#signPrivate &&
      t.subscriberId &&
      t.token !== null &&
      shared.url?.startsWith(`${this.#publicUrl}/a/`)
        ? { ...shared, url: await this.#signPrivate(t.subscriberId, shared.url) }
        : shared;
    // Serialized ahead only for a webhook (or a caller that does not say which channel).
    const forWebhook = t.channelKind === undefined || t.channelKind === 'webhook';
    // A subscriber (not a broadcast's account, which has no token) is asked whether the update
    // helped; a webhook's body (its event) has no place for the link, so it is not signed for one.
    const feedbackUrl =
      subject.asksFeedback &&
      t.token !== null &&
      t.subscriberId &&
      this.#feedbackCodes &&
      t.channelKind !== 'webhook'
        ? `${this.#publicUrl}/f/${await this.#feedbackCodes(subject.asksFeedback, t.subscriberId)}`
        : undefined;
    const meta: Record<string, string> = { ...(manageUrl && { unsubscribe: manageUrl }), documentation };
    const event = base.event && { ...base.event, meta };
    const eventJson = base.event && forWebhook ? this.#eventJson(base.event, meta) : undefined;
    return {
      ...base,
      ...(event && { event }),
      ...(eventJson && { eventJson }),
      id: t.deliveryId,
      ...links,
      ...(feedbackUrl && { feedbackUrl }),
      ...(wordsIn !== 'en' && { words: messageWords(wordsIn), language: wordsIn }),
    };
  }

  /**
   * `JSON.stringify({ ...event, meta })` without serializing the shared event for every
   * subscriber: its text up to the closing brace is kept, and each message adds its own `meta`.
   * An event that has a `meta` of its own (none does today) is serialized whole.
   */
  #eventJson(event: WebhookEvent, meta: Record<string, string>): string {
    let head = this.#eventHeads.get(event);
    if (head === undefined) {
      const whole = JSON.stringify(event);
      head = 'meta' in event ? null : `${whole.slice(0, -1)}${whole === '{}' ? '' : ','}"meta":`;
      this.#eventHeads.set(event, head);
    }
    return head === null ? JSON.stringify({ ...event, meta }) : `${head}${JSON.stringify(meta)}}`;
  }

  #forChannel(
    base: SubjectMessage,
    kind: ChannelKind | undefined,
    variant: TextVariant | null,
    language: string | null,
  ): Omit<SubjectMessage, 'variants' | 'translations'> {
    let kinds = this.#kinds.get(base);
    if (!kinds) {
      kinds = new Map();
      this.#kinds.set(base, kinds);
    }
    const key = `${kind}:${variant}:${language}`;
    let message = kinds.get(key);
    if (!message) {
      message = forChannel(base, kind, variant, language);
      kinds.set(key, message);
    }
    return message;
  }

  #base(subjectType: string, subjectId: string): Promise<SubjectMessage> {
    const key = `${subjectType}:${subjectId}`;
    let cached = this.#cache.get(key);
    if (!cached) {
      if (this.#cache.size > 200) this.#cache.clear();
      cached = this.#subjects(subjectType, subjectId);
      cached.catch(() => this.#cache.delete(key));
      this.#cache.set(key, cached);
    }
    return cached;
  }
}
