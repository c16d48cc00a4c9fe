/**
 * Microsoft Teams through a Workflows webhook: a message whose one
 * attachment is an Adaptive Card (the Office 365 connector cards are retired).
 */
import { jsonPostChannel } from './json-post.ts';
import { NoticeUrl } from './settings.ts';
import { defineChannel, type Message } from './types.ts';

function teamsBody(message: Message): unknown {
  const actions = [
    ...(message.url ? [{ type: 'Action.OpenUrl', title: 'View details', url: message.url }] : []),
    ...(message.confirmUrl ? [{ type: 'Action.OpenUrl', title: 'Confirm', url: message.confirmUrl }] : []),
    ...(message.feedbackUrl
      ? [{ type: 'Action.OpenUrl', title: 'Was this update helpful?', url: message.feedbackUrl }]
      : []),
    ...(message.manageUrl ? [{ type: 'Action.OpenUrl', title: 'Unsubscribe', url: message.manageUrl }] : []),
  ];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: `${message.drill ? '[DRILL] ' : ''}${message.title}`,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
            },
            { type: 'TextBlock', text: message.text, wrap: true },
          ],
          ...(actions.length > 0 && { actions }),
        },
      },
    ],
  };
}

export const teams = defineChannel({
  type: 'teams',
  kind: 'chat',
  variant: 'chat',
  maxLength: null,
  reach: { subscribers: ['teams'], builtIn: true },
  settings: NoticeUrl,
  secrets: ['url'],
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'teams', deps, timeoutMs: settings.timeout_ms, body: teamsBody }),
});
