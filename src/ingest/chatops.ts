/**
 * Chat-ops requests: `POST /chatops/:channel/command` (the `/crier` slash
 * command) and `POST /chatops/:channel/interaction` (buttons and forms), for
 * a plan channel whose bot takes them (src/channels/rooms.ts). Each request
 * is verified as the provider's own before anything is read from it
 * (Slack's signature over the raw body, Mattermost's command token, or for
 * a Mattermost button the install's proof in its context): an
 * unsigned, wrongly signed or stale one gets 401 and changes nothing. The
 * chat user acts as the Crier user with the same email address. Chat
 * services wait 3 seconds for an answer: work that takes longer is answered
 * "working on it" and followed up through the request's response URL. A
 * Slack button's answer carries no message: its outcome always follows there.
 * A decision that settles the approval request (approved with nothing more
 * asked of the room, or rejected through the comment form) replaces that
 * request in the room, buttons and all, naming who decided: on Slack through
 * the click's response URL or, for the form, chat.update; on Mattermost in
 * the click's answer or, for the dialog, by editing the post. A refusal, or
 * an approval still waiting for another, goes to the one who clicked, and
 * the buttons stay.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatOps, ChatRequest } from '../channels/rooms.ts';
import { CrierError } from '../domain/errors.ts';
import { buttonKey, provesButton } from '../services/chat/button-proof.ts';
import {
  approveFromChat,
  type ButtonOutcome,
  chatActor,
  refusal,
  rejectFromChat,
  runChatCommand,
} from '../services/chat/commands.ts';
import type { Ctx } from '../services/context.ts';

export type ChatOpsDeps = Omit<Ctx, 'actor'>;

const maxBodyBytes = 64 * 1024;

export interface ChatOpsOptions {
  /** The inbound side of a plan channel, by name, when its settings give one. */
  chatops(channel: string): ChatOps | undefined;
  /** How long to wait before answering "working on it" (ms); under the providers' 3 seconds. */
  answerWithinMs?: number;
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral', text });

export function chatOpsRoutes(deps: ChatOpsDeps, options: ChatOpsOptions) {
  const within = options.answerWithinMs ?? 2_500;

  /** The request verified and read, or the reply already sent (401, 400, 404). */
  function verified(req: FastifyRequest<{ Params: { channel: string } }>) {
    const side = options.chatops(req.params.channel);
    if (!side)
      throw new CrierError('not_found', 'No channel of the plan takes chat-ops requests by that name.');
    const request = { headers: req.headers, body: typeof req.body === 'string' ? req.body : '' };
    const problem = side.verify(request, deps.clock.now().getTime());
    if (problem !== null) {
      deps.log.warn({ channel: req.params.channel, reason: problem }, 'chat-ops request refused');
      throw new CrierError('signature_invalid', `The request is not the chat service's own: ${problem}.`);
    }
    const parsed = side.parse(request);
    if (typeof parsed === 'string') throw new CrierError('malformed_request', parsed);
    return { side, parsed };
  }

  const interactionUrl = (channel: string) =>
    `${deps.config.publicUrl.replace(/\/+$/, '')}/chatops/${encodeURIComponent(channel)}/interaction`;

  /** A button whose provider does not sign it must carry the install's proof of its draft. */
  async function proved(channel: string, side: ChatOps, parsed: ChatRequest): Promise<void> {
    if (!side.provesButtons || (parsed.type !== 'decide' && parsed.type !== 'comment')) return;
    const key = await buttonKey(deps.db);
    if (parsed.proof !== undefined && provesButton(key, channel, parsed.value, parsed.proof)) return;
    deps.log.warn({ channel, reason: 'the button proof does not hold' }, 'chat-ops request refused');
    throw new CrierError(
      'signature_invalid',
      "The request is not the chat service's own: the button's proof does not hold.",
    );
  }

  async function actorCtx(req: FastifyRequest<{ Params: { channel: string } }>, side: ChatOps, user: string) {
    const requestId = String(req.id);
    const email = await side.emailOf(user);
    const actor = await chatActor(deps, email, `chat:${req.params.channel}`, requestId);
    if (actor === null) return { email, ctx: null };
    const ctx: Ctx = { ...deps, log: deps.log.child({ request_id: requestId, chat_user: user }), actor };
    return { email, ctx };
  }

  const nobody = (email: string | null) =>
    email === null
      ? 'Crier could not read the email address of your chat account, so it does not know who you are.'
      : `No Crier user has the email address ${email}; ask an admin to add you (crier user add).`;

  /** Answers within the time chat allows: the result, or "working on it" and the result later. */
  async function answer(
    reply: FastifyReply,
    work: Promise<string | ButtonOutcome>,
    side: ChatOps,
    responseUrl: string | undefined,
    button = false,
  ) {
    const outcome: Promise<ButtonOutcome> = work.then(
      (o) => (typeof o === 'string' ? { text: o, settled: false } : o),
      (err: unknown) => ({ text: refusal(err), settled: false }),
    );
    const followUp = (url: string) =>
      void outcome
        .then((o) => side.followUp(url, o.text, o.settled))
        .catch((err: unknown) => deps.log.error({ err }, 'a chat-ops follow-up failed'));
    let timer: NodeJS.Timeout | undefined;
    const quick = await Promise.race([
      outcome,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), within);
      }),
    ]);
    clearTimeout(timer);
    // Slack takes no message in the answer to a button (block_actions), only its 200: what came of
    // the click always goes to the click's response_url, once the work is done.
    if (button && !side.answerButton && responseUrl !== undefined) {
      followUp(responseUrl);
      return reply.code(200).send();
    }
    const shaped = (o: ButtonOutcome) =>
      button && side.answerButton ? side.answerButton(o.text, o.settled) : ephemeral(o.text);
    if (quick !== null || responseUrl === undefined) return reply.send(shaped(quick ?? (await outcome)));
    followUp(responseUrl);
    return reply.send(ephemeral('Working on it…'));
  }

  async function interaction(
    req: FastifyRequest<{ Params: { channel: string } }>,
    reply: FastifyReply,
    side: ChatOps,
    parsed: Exclude<ChatRequest, { type: 'command' }>,
  ) {
    if (parsed.type === 'other') return reply.code(200).send();
    const { email, ctx } = await actorCtx(req, side, parsed.user);
    if (parsed.type === 'comment') {
      if (ctx === null) return reply.send({ response_action: 'errors', errors: { comment: nobody(email) } });
      if (parsed.comment.trim() === '')
        return reply.send({ response_action: 'errors', errors: { comment: 'Say what should change.' } });
      let said: ButtonOutcome;
      try {
        said = await rejectFromChat(ctx, parsed.value, parsed.comment);
      } catch (err) {
        return reply.send({ response_action: 'errors', errors: { comment: refusal(err) } });
      }
      // The form's submission has no response URL: the request's message is replaced through the
      // bot, not waited for, so the form is answered at once (Slack closes it on this 200).
      const { message } = parsed;
      if (message)
        void side
          .settle(message, parsed.value, said.text)
          .catch((err: unknown) => deps.log.error({ err }, 'a rejected request could not be replaced'));
      return reply.code(200).send();
    }
    if (ctx === null) return answer(reply, Promise.resolve(nobody(email)), side, parsed.responseUrl, true);
    if (parsed.decision === 'reject') {
      const asked =
        parsed.triggerId !== undefined &&
        (await side.askComment({
          triggerId: parsed.triggerId,
          value: parsed.value,
          title: 'Say what should change; the draft’s authors read it.',
          message: parsed.message,
          callback:
            side.provesButtons && parsed.proof !== undefined
              ? { url: interactionUrl(req.params.channel), proof: parsed.proof }
              : undefined,
        }));
      if (asked) return reply.code(200).send();
      return answer(
        reply,
        Promise.resolve('Reject it in the console, with a comment.'),
        side,
        parsed.responseUrl,
        true,
      );
    }
    return answer(reply, approveFromChat(ctx, parsed.value), side, parsed.responseUrl, true);
  }

  return async (app: FastifyInstance) => {
    // The raw body: signatures are computed over its exact bytes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );

    app.post<{ Params: { channel: string } }>(
      '/chatops/:channel/command',
      { schema: { hide: true } },
      async (req, reply) => {
        const { side, parsed } = verified(req);
        if (parsed.type !== 'command') throw new CrierError('malformed_request', 'Not a slash command.');
        const { email, ctx } = await actorCtx(req, side, parsed.user);
        if (ctx === null) return reply.send(ephemeral(nobody(email)));
        return answer(reply, runChatCommand(ctx, parsed.text, parsed.room), side, parsed.responseUrl);
      },
    );

    app.post<{ Params: { channel: string } }>(
      '/chatops/:channel/interaction',
      { schema: { hide: true } },
      async (req, reply) => {
        const { side, parsed } = verified(req);
        if (parsed.type === 'command')
          throw new CrierError('malformed_request', 'A slash command goes to …/command.');
        await proved(req.params.channel, side, parsed);
        return interaction(req, reply, side, parsed);
      },
    );
  };
}
