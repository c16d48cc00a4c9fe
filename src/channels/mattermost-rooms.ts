/**
 * Mattermost through its REST API (v4), for a channel whose plan entry has a
 * `bot_token` (a bot account's access token), a `server_url` and the
 * `team_id` rooms are made in: a room per incident (POST /api/v4/channels,
 * GET /users/email/{email}, POST /channels/{id}/members, PUT
 * /channels/{id}/patch for the header, POST /posts, DELETE /channels/{id}
 * to archive), and the `/crier` slash command, whose token is checked.
 * Approval requests carry Approve and Reject buttons (interactive message
 * attachments): Mattermost posts a click to the button's `integration.url`
 * with the `context` Crier gave it, unsigned, so the context carries the
 * install's proof of the draft it names, checked before anything is done.
 * A click that settles the request is answered with Mattermost's integration
 * action response, `update` (the post's new `message`, and `props: {}`, which
 * clears the attachments and so the buttons) with `ephemeral_text` for the
 * one who clicked; a rejection made through the dialog edits the post
 * itself (PUT /posts/{id}/patch), the dialog's answer having no `update`.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { answerOf, createHttpClient, type HttpResponse, header } from './http-client.ts';
import type {
  ChatOps,
  ChatRequest,
  ChatRooms,
  InboundRequest,
  MessageRef,
  RoomPost,
  RoomResult,
} from './rooms.ts';
import { type ChannelDeps, httpFailure, networkFailure } from './types.ts';

export interface MattermostRoomSettings {
  readonly server_url: string;
  readonly bot_token: string;
  readonly team_id: string;
  readonly command_token?: string | undefined;
  readonly archive_after_days: number;
  readonly timeout_ms?: number | undefined;
}

/** Mattermost's Markdown: &, < and > escaped, and a word joiner after an `@` so no one is paged. */
const escaped = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(^|[^\w.+-])@(?=\w)/g, '$1@\u2060');

const WithId = z.looseObject({ id: z.string() });
const WithEmail = z.looseObject({ email: z.string().optional() });

function asResult(response: HttpResponse): RoomResult<never> {
  const failed = httpFailure(response.status, response.body, header(response, 'retry-after'));
  if (failed.ok) throw new Error('unreachable: a failure was expected');
  return {
    ok: false,
    retry: failed.retry,
    reason: `Mattermost: ${failed.reason}`,
    ...(failed.retryAfterMs !== undefined && { retryAfterMs: failed.retryAfterMs }),
  };
}

function networkResult(err: unknown): RoomResult<never> {
  const failed = networkFailure(err);
  return failed.ok
    ? { ok: false, retry: true, reason: 'Mattermost: no answer' }
    : { ok: false, retry: failed.retry, reason: `Mattermost: ${failed.reason}` };
}

export function mattermostRooms(settings: MattermostRoomSettings, deps: ChannelDeps) {
  // The server is the administrator's own, not a subscriber's: it may be on a private network.
  const http = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 10_000 });
  const base = `${settings.server_url.replace(/\/+$/, '')}/api/v4`;
  const headers = {
    authorization: `Bearer ${settings.bot_token}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': deps.userAgent,
  };

  async function api<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    read: (response: HttpResponse) => T,
    also?: (response: HttpResponse) => RoomResult<T> | undefined,
  ): Promise<RoomResult<T>> {
    try {
      const response = await http.send(
        method,
        `${base}${path}`,
        body === undefined ? undefined : JSON.stringify(body),
        headers,
      );
      const special = also?.(response);
      if (special) return special;
      if (response.status < 200 || response.status >= 300) return asResult(response);
      return { ok: true, value: read(response) };
    } catch (err) {
      return networkResult(err);
    }
  }
  const idOf = (response: HttpResponse) => answerOf(WithId, response.body)?.id ?? '';

  const rooms: ChatRooms = {
    archiveAfterDays: settings.archive_after_days,
    create: (name, displayName) =>
      api(
        'POST',
        '/channels',
        { team_id: settings.team_id, name, display_name: displayName.slice(0, 64), type: 'O' },
        idOf,
      ),
    userByEmail: (email) =>
      api('GET', `/users/email/${encodeURIComponent(email)}`, undefined, idOf, (r) =>
        r.status === 404 ? { ok: true, value: null } : undefined,
      ),
    async invite(roomId, userIds) {
      for (const userId of userIds) {
        const added = await api(
          'POST',
          `/channels/${encodeURIComponent(roomId)}/members`,
          { user_id: userId },
          () => null,
        );
        if (!added.ok) return added;
      }
      return { ok: true, value: null };
    },
    setTopic: (roomId, topic) =>
      api(
        'PUT',
        `/channels/${encodeURIComponent(roomId)}/patch`,
        { header: escaped(topic).slice(0, 1024) },
        () => null,
      ),
    post: (roomId, message) => {
      const title = escaped(`${message.drill ? '[DRILL] ' : ''}${message.title}`);
      const link = message.url ? `\n\n[Open in Crier](${message.url})` : '';
      const buttons = settings.command_token ? buttonsOf(message) : undefined;
      return api(
        'POST',
        '/posts',
        {
          channel_id: roomId,
          message: `**${title}**\n${escaped(message.text)}${link}`,
          ...(buttons && { props: { attachments: [{ actions: buttons }] } }),
        },
        () => null,
      );
    },
    archive: (roomId) => api('DELETE', `/channels/${encodeURIComponent(roomId)}`, undefined, () => null),
    close: () => http.close(),
  };
  return {
    rooms,
    ...(settings.command_token && { chatops: chatops(settings.command_token, api, http, deps) }),
  };

  function chatops(token: string, call: typeof api, client: typeof http, d: ChannelDeps): ChatOps {
    return {
      verify: (request) => verifyMattermost(token, request),
      parse: parseMattermost,
      async emailOf(user) {
        const found = await call(
          'GET',
          `/users/${encodeURIComponent(user)}`,
          undefined,
          (r) => answerOf(WithEmail, r.body)?.email ?? null,
        );
        return found.ok ? found.value : null;
      },
      async askComment({ triggerId, value, title, message, callback }) {
        if (callback === undefined) return false;
        const opened = await call(
          'POST',
          '/actions/dialogs/open',
          {
            trigger_id: triggerId,
            url: callback.url,
            dialog: {
              callback_id: 'crier_reject',
              title: 'Reject the draft',
              introduction_text: escaped(title),
              elements: [
                { display_name: 'What should change', name: 'comment', type: 'textarea', max_length: 2000 },
              ],
              submit_label: 'Reject',
              state: JSON.stringify({
                value,
                proof: callback.proof,
                ...(message && { room: message.room, post: message.id }),
              }),
            },
          },
          () => null,
        );
        return opened.ok;
      },
      provesButtons: true,
      answerButton: (text, settled) =>
        settled
          ? { update: { message: escaped(text), props: {} }, ephemeral_text: escaped(text) }
          : { ephemeral_text: escaped(text) },
      async settle(message, value, text) {
        // The dialog's state comes back through the client: only a post in that room that still
        // carries this draft's buttons is edited.
        const found = await call('GET', `/posts/${encodeURIComponent(message.id)}`, undefined, (r) =>
          answerOf(PostWithButtons, r.body),
        );
        if (!found.ok) throw new Error(found.reason);
        const post = found.value;
        const names = post?.props?.attachments?.some((a) =>
          a.actions?.some((b) => b.integration?.context?.value === value),
        );
        if (post?.channel_id !== message.room || !names) return;
        const patched = await call(
          'PUT',
          `/posts/${encodeURIComponent(message.id)}/patch`,
          { message: escaped(text), props: {} },
          () => null,
        );
        if (!patched.ok) throw new Error(patched.reason);
      },
      async followUp(responseUrl, text) {
        await client.post(responseUrl, JSON.stringify({ response_type: 'ephemeral', text: escaped(text) }), {
          'content-type': 'application/json',
          'user-agent': d.userAgent,
        });
      },
    };
  }
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** An approval request's buttons: each posts its decision, the draft and the install's proof. */
function buttonsOf(message: RoomPost) {
  if (message.decide === undefined || message.action === undefined) return undefined;
  const { url, proof } = message.action;
  const button = (decision: 'approve' | 'reject', name: string, style: string) => ({
    id: decision,
    name,
    style,
    integration: { url, context: { decision, value: message.decide, proof } },
  });
  return [button('approve', 'Approve', 'primary'), button('reject', 'Reject', 'danger')];
}

/** A post as GET /posts/{id} gives it, as far as its buttons go. */
const Button = z.looseObject({
  integration: z.looseObject({ context: z.looseObject({ value: z.unknown() }).optional() }).optional(),
});
const PostWithButtons = z.looseObject({
  channel_id: z.string(),
  props: z
    .looseObject({ attachments: z.array(z.looseObject({ actions: z.array(Button).optional() })).optional() })
    .optional(),
});

/** A button's request (JSON, Mattermost's integration action): its context, when it has Crier's. */
const ButtonRequest = z.looseObject({
  user_id: z.string().min(1),
  trigger_id: z.string().max(500).optional(),
  post_id: z.string().max(100).optional(),
  channel_id: z.string().max(100).optional(),
  context: z.looseObject({
    decision: z.enum(['approve', 'reject']),
    value: z.string().min(1).max(200),
    proof: z.string().min(1).max(200),
  }),
});

/** The rejection form submitted (Mattermost's interactive dialog): the state Crier gave it comes back. */
const DialogSubmission = z.looseObject({
  type: z.literal('dialog_submission'),
  user_id: z.string().min(1),
  cancelled: z.boolean().optional(),
  submission: z.looseObject({ comment: z.string().max(2000).nullish() }).nullish(),
  state: z.string().max(1000),
});
const DialogState = z.object({
  value: z.string().min(1).max(200),
  proof: z.string().min(1).max(200),
  room: z.string().min(1).max(100).optional(),
  post: z.string().min(1).max(100).optional(),
});

function dialogOf(request: InboundRequest) {
  try {
    const submitted = DialogSubmission.safeParse(JSON.parse(request.body));
    if (!submitted.success) return null;
    const state = DialogState.safeParse(JSON.parse(submitted.data.state));
    return state.success ? { ...submitted.data, ...state.data } : null;
  } catch {
    return null;
  }
}

const isJson = (request: InboundRequest) => String(request.headers['content-type'] ?? '').includes('json');

function buttonOf(request: InboundRequest) {
  try {
    return ButtonRequest.safeParse(JSON.parse(request.body));
  } catch {
    return null;
  }
}

/**
 * The slash command's token, sent as `Authorization: Token <token>` and in the form's `token`. A
 * button's request carries none: it passes here when it carries a proof, which the route checks.
 */
export function verifyMattermost(token: string, request: InboundRequest): string | null {
  if (isJson(request))
    return buttonOf(request)?.success || dialogOf(request) ? null : 'the button request carries no proof';
  const auth = request.headers.authorization;
  const fromHeader = typeof auth === 'string' && auth.startsWith('Token ') ? auth.slice(6).trim() : undefined;
  const given = fromHeader ?? new URLSearchParams(request.body).get('token') ?? undefined;
  if (given === undefined) return 'the request carries no token';
  return same(given, token) ? null : 'the token does not match';
}

function parseMattermost(request: InboundRequest): ChatRequest | string {
  if (isJson(request)) {
    const dialog = dialogOf(request);
    if (dialog?.cancelled) return { type: 'other' };
    if (dialog)
      return {
        type: 'comment',
        value: dialog.value,
        comment: dialog.submission?.comment ?? '',
        user: dialog.user_id,
        proof: dialog.proof,
        ...(dialog.room && dialog.post && { message: { room: dialog.room, id: dialog.post } }),
      };
    const button = buttonOf(request);
    if (!button?.success) return 'a button request needs user_id and the context Crier gave it';
    const { user_id, trigger_id, context, post_id, channel_id } = button.data;
    const message: MessageRef | undefined =
      post_id && channel_id ? { room: channel_id, id: post_id } : undefined;
    return {
      type: 'decide',
      decision: context.decision,
      value: context.value,
      user: user_id,
      proof: context.proof,
      ...(trigger_id && { triggerId: trigger_id }),
      ...(message && { message }),
    };
  }
  const form = new URLSearchParams(request.body);
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
