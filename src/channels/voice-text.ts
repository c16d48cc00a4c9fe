/**
 * One message as a phone call: what is said (the title and the text, no
 * links: a link cannot be listened to) and the TwiML that says it, in the
 * message's language, twice (once more if the listener presses 1).
 * https://www.twilio.com/docs/voice/twiml/say, .../twiml/gather
 */
import { escapeHtml } from '../domain/html.ts';
import type { Message } from './types.ts';

/** The voice <Say> uses for each language Crier speaks (Twilio's language codes). */
const sayLanguages: Readonly<Record<string, string>> = {
  en: 'en-US',
  fr: 'fr-FR',
  de: 'de-DE',
  es: 'es-ES',
  pt: 'pt-BR',
  ja: 'ja-JP',
};

/** What the call says: the title, then the text, a drill said to be one. */
export function voiceText(message: Message): string {
  const title = message.title.trim().replace(/[.!?]*$/, '.');
  return `${message.drill ? 'This is a drill. ' : ''}${title} ${message.text.trim()}`.trim();
}

/** The TwiML for a call that says `voiceText(message)`; the text is XML-escaped. */
export function voiceTwiml(message: Message): string {
  const said = escapeHtml(voiceText(message));
  const language = sayLanguages[message.language ?? 'en'] ?? 'en-US';
  const say = `<Say language="${language}">${said}</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${say}<Gather numDigits="1" timeout="5"><Say language="en-US">Press 1 to hear it again.</Say></Gather>${say}</Response>`;
}
