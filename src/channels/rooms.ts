/**
 * What a chat provider lends beyond sending a message to a webhook: a room
 * per incident kept by the plan's own bot (create, invite, topic, post,
 * archive), and chat-ops (a slash command and buttons, verified as the
 * provider's). A module declares `rooms` when its settings can give a bot
 * token; nothing outside src/channels knows which provider it is talking to.
 */

/** A message posted in an incident's room. */
export interface RoomPost {
  readonly title: string;
  readonly text: string;
  readonly url?: string;
  readonly drill?: boolean;
  /** An approval request: Approve and Reject buttons carrying this value (`<incident id>:<update id>`). */
  readonly decide?: string;
  /**
   * Where a provider that does not sign its button requests (Mattermost) sends them, and the
   * install's proof of `decide` the buttons carry back (src/services/chat/button-proof.ts).
   */
  readonly action?: { readonly url: string; readonly proof: string };
}

/** A provider's answer: a value, or why not and whether trying again may help (5xx, 429, network). */
export type RoomResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly retry: boolean; readonly reason: string; readonly retryAfterMs?: number };

/** The bot's side of a room per incident. */
export interface ChatRooms {
  /** Days after an incident is resolved that its room is archived. */
  readonly archiveAfterDays: number;
  /** Creates a room; its provider id. */
  create(name: string, displayName: string): Promise<RoomResult<string>>;
  /** The provider's user id for an email address, or null when nobody there has it. */
  userByEmail(email: string): Promise<RoomResult<string | null>>;
  invite(roomId: string, userIds: readonly string[]): Promise<RoomResult<null>>;
  setTopic(roomId: string, topic: string): Promise<RoomResult<null>>;
  post(roomId: string, message: RoomPost): Promise<RoomResult<null>>;
  archive(roomId: string): Promise<RoomResult<null>>;
  close(): Promise<void>;
}

/**
 * Where an approval request's message is, in the provider's terms: its room and the message's own
 * id (Slack: channel and `ts`; Mattermost: channel and post id), so a decision can replace it.
 */
export interface MessageRef {
  readonly room: string;
  readonly id: string;
}

/** An inbound request as it arrived: the raw body is what signatures are computed over. */
export interface InboundRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** What a verified chat-ops request asks, in the provider's words turned into ours. */
export type ChatRequest =
  /** `/crier <text>` typed by `user` (the provider's user id). */
  | {
      readonly type: 'command';
      readonly user: string;
      readonly text: string;
      /** Where it was typed: the provider's id of the room. */
      readonly room?: string;
      readonly responseUrl?: string;
    }
  /** A button on an approval request. */
  | {
      readonly type: 'decide';
      readonly decision: 'approve' | 'reject';
      readonly value: string;
      readonly user: string;
      readonly responseUrl?: string;
      readonly triggerId?: string;
      /** The install's proof the button carried, where the provider does not sign (`provesButtons`). */
      readonly proof?: string;
      /** The message the button is on. */
      readonly message?: MessageRef;
    }
  /** The rejection form submitted with its comment. */
  | {
      readonly type: 'comment';
      readonly value: string;
      readonly comment: string;
      readonly user: string;
      /** The install's proof the form carried back, where the provider does not sign (`provesButtons`). */
      readonly proof?: string;
      /** The approval request's message, carried through the form from the click that opened it. */
      readonly message?: MessageRef;
    }
  /** Anything else the provider sends (a closed form, another component): acknowledged, nothing done. */
  | { readonly type: 'other' };

/** The provider's inbound side. */
export interface ChatOps {
  /** Null when the request is the provider's own (its signature or token holds), else why not. */
  verify(request: InboundRequest, nowMs: number): string | null;
  /** What a verified request asks; a string says what is malformed. */
  parse(request: InboundRequest): ChatRequest | string;
  /** The email address of a provider user, to match a Crier user; null when it has none. */
  emailOf(user: string): Promise<string | null>;
  /** Opens a form asking for a rejection's comment; false when the provider refused. */
  askComment(ask: {
    readonly triggerId: string;
    readonly value: string;
    readonly title: string;
    /** The request's message, carried back with the submission so the rejection can replace it. */
    readonly message?: MessageRef | undefined;
    /** For a provider that does not sign (`provesButtons`): where the form posts, and the proof it carries back. */
    readonly callback?: { readonly url: string; readonly proof: string } | undefined;
  }): Promise<boolean>;
  /**
   * A later answer to a command or button (the slower work), through the request's response URL.
   * `replace`: the click settled what the message asked, so the message its buttons were on
   * says the outcome instead, without them, where the provider allows it (Slack).
   */
  followUp(responseUrl: string, text: string, replace?: boolean): Promise<void>;
  /**
   * Replaces an approval request's message, buttons and all, with a decision's outcome, through
   * the bot's own API (no response URL at hand: the rejection form's submission carries none).
   * `value` is the draft the message's buttons must name, checked where the message's address
   * came back through the user's client (Mattermost's dialog state); another is left as it is.
   */
  settle(message: MessageRef, value: string, text: string): Promise<void>;
  /**
   * The provider does not sign button requests: each carries the install's proof of its value,
   * checked before anything is done (Mattermost).
   */
  readonly provesButtons?: boolean;
  /**
   * The answer to a button in the provider's shape, for a provider that takes one (Mattermost);
   * `settled`: the click settled the request, so the answer also replaces the message it was on.
   */
  answerButton?(text: string, settled: boolean): unknown;
}

/** What a module's `rooms` declaration gives for a channel whose settings have a bot. */
export interface RoomsSide {
  readonly rooms: ChatRooms;
  /** Present when the settings also verify inbound requests (a signing secret, a command token). */
  readonly chatops?: ChatOps;
}
