/** One message as an SMS: title, body and the links, kept within the channel's segment budget. */
import { messageWords } from '../domain/message-words.ts';
import { fitSegments } from '../domain/sms.ts';
import type { Message } from './types.ts';

export function smsText(message: Message, maxSegments: number): string {
  const w = message.words ?? messageWords('en');
  const links = [
    message.confirmUrl && `${w.smsConfirm} ${message.confirmUrl}`,
    message.url,
    message.feedbackUrl && `${w.smsHelpful} ${message.feedbackUrl}`,
    message.manageUrl && `${w.smsStop} ${message.manageUrl}`,
  ]
    .filter(Boolean)
    .join('\n');
  const head = `${message.drill ? '[DRILL] ' : ''}${message.title}`;
  // The links must survive shortening, so the body is what gives way.
  const tail = links ? `\n${links}` : '';
  const whole = `${head}\n${message.text}${tail}`;
  const fitted = fitSegments(whole, maxSegments);
  if (fitted === whole || !tail) return fitted;
  const bodyBudget = fitSegments(`${head}\n${message.text}`, maxSegments);
  for (let cut = bodyBudget.length; cut > 0; cut -= 10) {
    const candidate = `${fitSegments(`${head}\n${message.text}`.slice(0, cut), maxSegments)}${tail}`;
    if (fitSegments(candidate, maxSegments) === candidate) return candidate;
  }
  return fitSegments(`${head}${tail}`, maxSegments);
}
