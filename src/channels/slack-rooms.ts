/**
 * Slack through its Web API (`@slack/web-api`), for a channel whose plan
 * entry has a `bot_token`: a room per incident (conversations.create,
 * users.lookupByEmail, conversations.invite, conversations.setTopic,
 * chat.postMessage, conversations.archive), and chat-ops: the `/crier`
 * slash command and the Approve / Reject buttons (views.open for the
 * rejection's comment), each request verified with the app's signing secret.
 *
 * The client's own retries are off: the outbox retries a room's work, with
 * the same backoff as any delivery, and a 429's Retry-After is passed on.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { requireOnFirstUse } from '../domain/first-use.ts';
import { createHttpClient } from './http-client.ts';
import type {
  ChatOps,
  ChatRequest,
  ChatRooms,
  InboundRequest,
  MessageRef,
  RoomPost,
  RoomResult,
} from './rooms.ts';
import type { ChannelDeps } from './types.ts';

export interface SlackRoomSettings {
  readonly bot_token: string;
  readonly signing_secret?: string | undefined;
  readonly api_url?: string | undefined;
  readonly archive_after_days: number;
  readonly timeout_ms?: number | undefined;
}

// The Web API client is loaded when a plan's Slack entry has a bot token.
const slackApi = requireOnFirstUse<typeof import('@slack/web-api')>('@slack/web-api');

/** Slack's answers that say to try again later; every other error is final. */
const transient = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A failed Web API call as a result (the client throws for every error Slack or the network gives). */
function failure(err: unknown): RoomResult<never> {
  const e = err as {
    code?: string;
    data?: { error?: string };
    retryAfter?: number;
    statusCode?: number;
    message?: string;
  };
  const { ErrorCode } = slackApi();
  switch (e.code) {
    case ErrorCode.PlatformError: {
      const error = e.data?.error ?? 'unknown_error';
      return { ok: false, retry: transient.has(error), reason: `Slack: ${error}` };
    }
    case ErrorCode.RateLimitedError:
      return {
        ok: false,
        retry: true,
        reason: 'Slack: rate limited',
        retryAfterMs: (e.retryAfter ?? 1) * 1000,
      };
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      return {
        ok: false,
        retry: status >= 500 || status === 429 || status === 408,
        reason: `Slack: HTTP ${status}`,
      };
    }
    default:
      return { ok: false, retry: true, reason: `Slack: ${e.message ?? String(err)}` };
  }
}

async function call<T>(run: () => Promise<T>): Promise<RoomResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return failure(err);
  }
}

/** The Block Kit message a room receives: the words, a link, and buttons on an approval request. */
function roomBlocks(message: RoomPost): { text: string; blocks: unknown[] } {
  const title = `${message.drill ? '[DRILL] ' : ''}${message.title}`;
  const text = mrkdwn(`${title}\n${message.text}`).slice(0, 3000);
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${mrkdwn(title)}*\n${mrkdwn(message.text)}`.slice(0, 3000) },
      },
      ...(message.url
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${message.url}|Open in Crier>` }] }]
        : []),
      ...(message.decide
        ? [
            {
              type: 'actions',
              block_id: 'crier_decide',
              elements: [
                {
                  type: 'button',
                  action_id: 'crier_approve',
                  style: 'primary',
                  value: message.decide,
                  text: { type: 'plain_text', text: 'Approve' },
                },
                {
                  type: 'button',
                  action_id: 'crier_reject',
                  style: 'danger',
                  value: message.decide,
                  text: { type: 'plain_text', text: 'Reject' },
                },
              ],
            },
          ]
        : []),
    ],
  };
}

const Created = z.looseObject({ channel: z.looseObject({ id: z.string() }) });
const Found = z.looseObject({ user: z.looseObject({ id: z.string() }) });
const Info = z.looseObject({
  user: z.looseObject({ profile: z.looseObject({ email: z.string().optional() }).optional() }),
});

function rooms(client: WebClient, settings: SlackRoomSettings): ChatRooms {
  return {
    archiveAfterDays: settings.archive_after_days,
    create: (name) =>
      call(
        async () => Created.parse(await client.conversations.create({ name, is_private: false })).channel.id,
      ),
    async userByEmail(email) {
      const found = await call(async () => Found.parse(await client.users.lookupByEmail({ email })).user.id);
      if (!found.ok && found.reason === 'Slack: users_not_found') return { ok: true, value: null };
      return found;
    },
    async invite(roomId, userIds) {
      if (userIds.length === 0) return { ok: true, value: null };
      const done = await call(async () => {
        // force: the others are invited even when one of them is already there or cannot be.
        await client.conversations.invite({ channel: roomId, users: userIds.join(','), force: true });
        return null;
      });
      if (!done.ok && done.reason === 'Slack: already_in_channel') return { ok: true, value: null };
      return done;
    },
    setTopic: (roomId, topic) =>
      call(async () => {
        await client.conversations.setTopic({ channel: roomId, topic: topic.slice(0, 250) });
        return null;
      }),
    post: (roomId, message) =>
      call(async () => {
        // Buttons only where their clicks can be verified and answered (a signing secret).
        const { decide, ...rest } = message;
        const shown = settings.signing_secret && decide ? { ...rest, decide } : rest;
        await client.chat.postMessage({ channel: roomId, ...roomBlocks(shown), unfurl_links: false });
        return null;
      }),
    async archive(roomId) {
      const done = await call(async () => {
        await client.conversations.archive({ channel: roomId });
        return null;
      });
      if (!done.ok && done.reason === 'Slack: already_archived') return { ok: true, value: null };
      return done;
    },
    close: async () => {},
  };
}

/** Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed by the signing secret, in hex. */
function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Requests older (or newer) than this are refused, so a captured one cannot be replayed later. */
const windowSeconds = 5 * 60;

export function verifySlack(secret: string, request: InboundRequest, nowMs: number): string | null {
  const timestamp = first(request.headers['x-slack-request-timestamp']);
  const signature = first(request.headers['x-slack-signature']);
  if (!timestamp || !signature) return 'the request is not signed';
  if (!/^\d{1,12}$/.test(timestamp)) return 'the request timestamp is not a number';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > windowSeconds)
    return 'the request is too old or from the future';
  const expected = Buffer.from(slackSignature(secret, timestamp, request.body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'the signature does not match';
  return null;
}

const BlockActions = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string() }),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  // The message the button is on (Slack's block_actions payload: `container`, and `channel` / `message`).
  container: z
    .looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() })
    .optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ ts: z.string() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});
const ViewSubmission = z.looseObject({
  type: z.literal('view_submission'),
  user: z.looseObject({ id: z.string() }),
  view: z.looseObject({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.looseObject({
      values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullish() }))),
    }),
  }),
});

/**
 * The rejection form's `private_metadata`: the draft and, when the click said where its message
 * is, that message (JSON); a form opened before messages were carried holds the draft alone.
 */
const FormMetadata = z.object({
  value: z.string().min(1),
  room: z.string().min(1).optional(),
  ts: z.string().min(1).optional(),
});

function formMetadata(metadata: string): { value: string; message?: MessageRef } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return { value: metadata };
  }
  const form = FormMetadata.safeParse(parsed);
  if (!form.success) return { value: metadata };
  const { value, room, ts } = form.data;
  return room && ts ? { value, message: { room, id: ts } } : { value };
}

function parseSlack(request: InboundRequest): ChatRequest | string {
  const form = new URLSearchParams(request.body);
  const payload = form.get('payload');
  if (payload === null) {
    const user = form.get('user_id');
    if (!user || form.get('command') === null) return 'a slash command needs command and user_id';
    const responseUrl = form.get('response_url');
    const room = form.get('channel_id');
    return {
      type: 'command',
      user,
      text: form.get('text') ?? '',
      ...(room && { room }),
      ...(responseUrl && { responseUrl }),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return 'payload is not JSON';
  }
  const actions = BlockActions.safeParse(value);
  if (actions.success) {
    const action = actions.data.actions[0];
    const decision =
      action?.action_id === 'crier_approve'
        ? 'approve'
        : action?.action_id === 'crier_reject'
          ? 'reject'
          : null;
    if (!action || decision === null || action.value === undefined) return { type: 'other' };
    const { trigger_id: triggerId, response_url: responseUrl, container, channel, message } = actions.data;
    const room = container?.channel_id ?? channel?.id;
    const ts = container?.message_ts ?? message?.ts;
    return {
      type: 'decide',
      decision,
      value: action.value,
      user: actions.data.user.id,
      ...(responseUrl && { responseUrl }),
      ...(triggerId && { triggerId }),
      ...(room && ts && { message: { room, id: ts } }),
    };
  }
  const submission = ViewSubmission.safeParse(value);
  if (submission.success && submission.data.view.callback_id === 'crier_reject') {
    const comment = submission.data.view.state.values.comment?.comment?.value ?? '';
    return {
      type: 'comment',
      ...formMetadata(submission.data.view.private_metadata),
      comment,
      user: submission.data.user.id,
    };
  }
  return { type: 'other' };
}

function chatops(client: WebClient, secret: string, deps: ChannelDeps, timeoutMs: number): ChatOps {
  const http = createHttpClient({ allowPrivateNetwork: deps.allowPrivateNetwork, timeoutMs });
  return {
    verify: (request, nowMs) => verifySlack(secret, request, nowMs),
    parse: parseSlack,
    async emailOf(user) {
      const info = await call(async () => Info.parse(await client.users.info({ user })));
      return info.ok ? (info.value.user.profile?.email ?? null) : null;
    },
    async askComment({ triggerId, value, title, message }) {
      // The submission (view_submission) carries no response_url: the request's message travels
      // in the form's private_metadata, which Slack keeps and sends back, for chat.update.
      const metadata = message ? JSON.stringify({ value, room: message.room, ts: message.id }) : value;
      const opened = await call(() =>
        client.views.open({
          trigger_id: triggerId,
          view: {
            type: 'modal',
            callback_id: 'crier_reject',
            private_metadata: metadata,
            title: { type: 'plain_text', text: 'Reject the draft' },
            submit: { type: 'plain_text', text: 'Reject' },
            close: { type: 'plain_text', text: 'Cancel' },
            blocks: [
              { type: 'section', text: { type: 'plain_text', text: title.slice(0, 3000) } },
              {
                type: 'input',
                block_id: 'comment',
                label: { type: 'plain_text', text: 'What should change?' },
                element: {
                  type: 'plain_text_input',
                  action_id: 'comment',
                  multiline: true,
                  max_length: 2000,
                },
              },
            ],
          },
        }),
      );
      return opened.ok;
    },
    async followUp(responseUrl, text, replace = false) {
      // Slack's message response: the outcome in place of the original message (its blocks, the
      // buttons, go with it), or a message only the person who asked sees.
      const message = replace
        ? { replace_original: true, text: mrkdwn(text) }
        : { response_type: 'ephemeral', text: mrkdwn(text) };
      await http.post(responseUrl, JSON.stringify(message), {
        'content-type': 'application/json',
        'user-agent': deps.userAgent,
      });
    },
    async settle(message, _value, text) {
      // chat.update on the bot's own message, which has no time limit (a response_url lasts 30
      // minutes and five uses); `blocks: []` removes the blocks, buttons with them.
      const done = await call(() =>
        client.chat.update({ channel: message.room, ts: message.id, text: mrkdwn(text), blocks: [] }),
      );
      if (!done.ok) throw new Error(done.reason);
    },
  };
}

export function slackRooms(settings: SlackRoomSettings, deps: ChannelDeps) {
  const timeout = settings.timeout_ms ?? 10_000;
  const client = new (slackApi().WebClient)(settings.bot_token, {
    ...(settings.api_url && { slackApiUrl: settings.api_url }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout,
  });
  return {
    rooms: rooms(client, settings),
    ...(settings.signing_secret && { chatops: chatops(client, settings.signing_secret, deps, timeout) }),
  };
}
