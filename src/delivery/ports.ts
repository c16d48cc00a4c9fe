/**
 * What the delivery worker is handed by the composition root (src/app.ts):
 * the process's database, clock, log and configuration, and the few use
 * cases it calls. Delivery never imports the services; whatever it needs of
 * them is named here and wired in one place.
 */
import type { Logger } from 'pino';
import type { AccountRead } from '../channels/mentions.ts';
import type { ChatRooms } from '../channels/rooms.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { Plan } from '../plan/schema.ts';
import type { Db } from '../store/db.ts';
import type { CadenceReminder, JobPayloads, NoticeMessage } from '../store/outbox.ts';
import type { FailingChannelSource } from './failing-channels.ts';
import type { FeedbackCodes, PrivateLinkSigner, SubjectSource } from './render.ts';

/** One round of a sentiment watch: the terms, and each account still allowed to read with its since-ids. */
interface SentimentRound {
  terms: string[];
  accounts: { channel: string; since: Record<string, string> }[];
}

export interface WorkerCtx {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: Config;
}

export interface DeliveryServices {
  /** What a subject (an incident update, a component's change, a maintenance notice) says to everyone. */
  subjectMessage: SubjectSource;
  /** A private page's address signed for one subscriber, so the link in their message opens it. */
  privatePageLink: PrivateLinkSigner;
  /** The signed code of a subscriber's "Was this update helpful?" link. */
  feedbackCode: FeedbackCodes;
  /** The words a cadence reminder sends now, or null once it no longer applies. */
  reminderNotice(reminder: CadenceReminder): Promise<NoticeMessage | null>;
  /** A maintenance's reminder fell due: its subscribers hear, unless the window moved since. */
  maintenanceReminderDue(job: JobPayloads['maintenance.reminder']): Promise<void>;
  /** The plan's approval timeout for one submission of a draft fired. */
  approvalTimedOut(job: JobPayloads['approval.timeout']): Promise<void>;
  /** The mail a requested password link goes out in, with a fresh secret; null when the person is gone. */
  passwordLink(job: JobPayloads['password.link']): Promise<{ to: string; message: NoticeMessage } | null>;
  /** An alert fired or resolved: run the plan's runbooks that match it. */
  alertChanged(job: JobPayloads['runbook.alert']): Promise<void>;
  /** One step of a runbook's run fell due. */
  runbookStep(job: JobPayloads['runbook.step']): Promise<void>;
  /** An incident's chat room catches up (or is archived) through the bot of its channel. */
  keepRoom(
    job: JobPayloads['chat.room'],
    roomsOf: (channel: string) => ChatRooms | undefined,
  ): Promise<
    { outcome: 'done' } | { outcome: 'again'; at: Date } | { outcome: 'retry' | 'failed'; reason: string }
  >;
  /** The next event of a game day's script fell due. */
  gameDayStep(job: JobPayloads['gameday.step']): Promise<void>;
  /** A scheduled game day fell due: it starts, or its participants are reminded. */
  gameDayScheduled(job: JobPayloads['gameday.scheduled']): Promise<void>;
  /** What a round of an incident's sentiment watch reads; null once the watch ends. */
  sentimentRound(job: JobPayloads['sentiment.watch']): Promise<SentimentRound | null>;
  /** Keeps what the round read and tells of a burst; when the next round is due, null when none. */
  mentionsRead(job: JobPayloads['sentiment.watch'], reads: readonly AccountRead[]): Promise<Date | null>;
  /** The channels a drill's messages are made to fail on (a game day's `fail_channel`). */
  failingChannels: FailingChannelSource;
  /** The plan in force, or null before any was applied. */
  planInForce(): Promise<Plan | null>;
  /** The number of the latest plan version (cheap: polled), 0 before any. */
  latestPlanVersion(): Promise<number>;
}
