/**
 * Local stand-ins for Slack's Web API and Mattermost's REST API v4: each
 * records the calls it receives, parsed as the provider documents them
 * (Slack: `POST /api/<method>`, form-encoded arguments, the bot token as
 * `Authorization: Bearer`; Mattermost: JSON under /api/v4), and answers as
 * the provider does, errors included.
 */
import { type Answer, type Received, type Receiver, startReceiver } from './receiver.ts';

export interface SlackCall {
  method: string;
  authorization: string | undefined;
  contentType: string | undefined;
  args: Record<string, unknown>;
}

const json = (body: unknown, status = 200): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** Slack's arguments: form fields, with objects and arrays (blocks, view) JSON-encoded. */
function slackArgs(req: Received): Record<string, unknown> {
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(req.body || '{}');
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(req.body)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

export interface SlackStand {
  url: string;
  /** The Web API's base URL for `api_url`. */
  apiUrl: string;
  calls: SlackCall[];
  /** Users by email, as users.lookupByEmail and users.info know them. */
  users: Map<string, string>;
  /** An error (`{ ok: false, error }`) for the next call to a method, once. */
  failNext: Map<string, string | { status: number; retryAfter?: string }>;
  /** Requests to a response_url (the path /response/...). */
  responses: Received[];
  receiver: Receiver;
  /** Forgets the calls and numbers rooms from 1 again. */
  reset(): void;
  close(): Promise<void>;
}

export async function startSlackStand(): Promise<SlackStand> {
  const calls: SlackCall[] = [];
  const responses: Received[] = [];
  const users = new Map<string, string>();
  const failNext = new Map<string, string | { status: number; retryAfter?: string }>();
  let rooms = 0;
  const receiver = await startReceiver((req) => {
    if (req.url.startsWith('/response/')) {
      responses.push(req);
      return { status: 200, body: 'ok' };
    }
    const method = req.url.replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = slackArgs(req);
    calls.push({
      method,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      args,
    });
    const failure = failNext.get(method);
    if (failure !== undefined) {
      failNext.delete(method);
      if (typeof failure === 'string') return json({ ok: false, error: failure });
      return {
        status: failure.status,
        headers: {
          'content-type': 'application/json',
          ...(failure.retryAfter && { 'retry-after': failure.retryAfter }),
        },
        body: JSON.stringify({ ok: false, error: 'ratelimited' }),
      };
    }
    if (req.headers.authorization !== 'Bearer xoxb-test-token')
      return json({ ok: false, error: 'invalid_auth' });
    switch (method) {
      case 'conversations.create':
        rooms += 1;
        return json({ ok: true, channel: { id: `C0ROOM${rooms}`, name: args.name, is_channel: true } });
      case 'users.lookupByEmail': {
        const id = users.get(String(args.email));
        return json(
          id
            ? { ok: true, user: { id, profile: { email: args.email } } }
            : { ok: false, error: 'users_not_found' },
        );
      }
      case 'users.info': {
        const email = [...users].find(([, id]) => id === args.user)?.[0];
        return json(
          email
            ? { ok: true, user: { id: args.user, profile: { email } } }
            : { ok: false, error: 'user_not_found' },
        );
      }
      case 'conversations.invite':
      case 'conversations.setTopic':
        return json({ ok: true, channel: { id: args.channel } });
      case 'chat.postMessage':
        return json({
          ok: true,
          channel: args.channel,
          ts: `1700000000.${calls.length}`,
          message: { text: args.text },
        });
      case 'chat.update':
        return json({ ok: true, channel: args.channel, ts: args.ts, text: args.text });
      case 'conversations.archive':
        return json({ ok: true });
      case 'views.open':
        return json({ ok: true, view: { id: 'V0MODAL' } });
      default:
        return json({ ok: false, error: 'unknown_method' });
    }
  });
  return {
    url: receiver.url,
    apiUrl: `${receiver.url}/api/`,
    calls,
    users,
    failNext,
    responses,
    receiver,
    reset() {
      calls.length = 0;
      responses.length = 0;
      rooms = 0;
    },
    close: () => receiver.close(),
  };
}

export interface MattermostCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface MattermostStand {
  url: string;
  calls: MattermostCall[];
  users: Map<string, { id: string; email: string }>;
  /** The posts made through POST /posts, by id, as GET /posts/{id} gives them (patches applied). */
  posts: Map<string, Record<string, unknown>>;
  responses: Received[];
  reset(): void;
  close(): Promise<void>;
}

export async function startMattermostStand(): Promise<MattermostStand> {
  const calls: MattermostCall[] = [];
  const responses: Received[] = [];
  const users = new Map<string, { id: string; email: string }>();
  const posts = new Map<string, Record<string, unknown>>();
  let rooms = 0;
  const receiver = await startReceiver((req) => {
    if (req.url.startsWith('/response/')) {
      responses.push(req);
      return { status: 200, body: 'ok' };
    }
    const body = req.body ? JSON.parse(req.body) : undefined;
    calls.push({ method: req.method, path: req.url, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== 'Bearer mm-bot-token')
      return json({ id: 'api.context.session_expired.app_error', status_code: 401 }, 401);
    const path = req.url;
    if (req.method === 'POST' && path === '/api/v4/channels') {
      rooms += 1;
      return json(
        {
          id: `mmroom${rooms}`,
          name: body.name,
          display_name: body.display_name,
          type: 'O',
          team_id: body.team_id,
        },
        201,
      );
    }
    const byEmail = /^\/api\/v4\/users\/email\/(.+)$/.exec(path);
    if (req.method === 'GET' && byEmail) {
      const user = users.get(decodeURIComponent(byEmail[1] ?? ''));
      return user ? json(user) : json({ id: 'app.user.missing_account.const', status_code: 404 }, 404);
    }
    const byId = /^\/api\/v4\/users\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && byId) {
      const user = [...users.values()].find((u) => u.id === byId[1]);
      return user ? json(user) : json({ status_code: 404 }, 404);
    }
    if (req.method === 'POST' && /^\/api\/v4\/channels\/[^/]+\/members$/.test(path))
      return json({ channel_id: 'x', user_id: body.user_id }, 201);
    if (req.method === 'PUT' && /^\/api\/v4\/channels\/[^/]+\/patch$/.test(path))
      return json({ id: 'x', header: body.header });
    if (req.method === 'POST' && path === '/api/v4/posts') {
      const post = { id: `post${calls.length}`, user_id: 'mmbot', props: {}, ...body };
      posts.set(post.id, post);
      return json(post, 201);
    }
    const postPath = /^\/api\/v4\/posts\/([^/]+)(\/patch)?$/.exec(path);
    const post = posts.get(decodeURIComponent(postPath?.[1] ?? ''));
    if (postPath && !post) return json({ id: 'app.post.get.app_error', status_code: 404 }, 404);
    if (post && req.method === 'GET' && !postPath?.[2]) return json(post);
    if (post && req.method === 'PUT' && postPath?.[2]) {
      // Mattermost's PostPatch: a field given replaces the post's, `props` as a whole.
      Object.assign(
        post,
        body.message !== undefined && { message: body.message },
        body.props && { props: body.props },
      );
      return json(post);
    }
    if (req.method === 'DELETE' && /^\/api\/v4\/channels\/[^/]+$/.test(path)) return json({ status: 'OK' });
    if (req.method === 'POST' && path === '/api/v4/actions/dialogs/open') return json({ status: 'OK' });
    return json({ status_code: 404 }, 404);
  });
  return {
    url: receiver.url,
    calls,
    users,
    posts,
    responses,
    reset() {
      calls.length = 0;
      responses.length = 0;
      posts.clear();
      rooms = 0;
    },
    close: () => receiver.close(),
  };
}
