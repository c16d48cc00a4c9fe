/**
 * What providers report about messages already sent, which suppresses
 * contacts that must hear nothing more (docs/operations.md, bounces and
 * complaints):
 *
 * - `POST /webhooks/ses`: Amazon SES bounce and complaint notifications
 *   through an SNS topic of CRIER_SES_SNS_TOPICS, each message's signature
 *   verified (sns-verify.ts) and the subscription confirmed as for alerts. A
 *   permanent bounce or a complaint suppresses the address at once; a
 *   transient or undetermined bounce counts towards the soft-bounce limit.
 *   https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
 * - `POST /webhooks/twilio/status`: Twilio's delivery status callbacks, each
 *   request's X-Twilio-Signature verified against the `sms-twilio` channels'
 *   auth tokens; an undelivered or failed message whose error code says the
 *   number cannot take messages suppresses it.
 *   https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 * - `POST /webhooks/twilio/call-status?delivery=ID`: how a call placed for a
 *   delivery ended (CallSid, CallStatus), signed the same way by the
 *   `voice-twilio` channel's token; a call not heard makes the delivery dead.
 *   https://www.twilio.com/docs/voice/api/call-resource#statuscallback
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { verifyTwilio } from '../channels/twilio-signature.ts';
import { CrierError } from '../domain/errors.ts';
import type { Ctx } from '../services/context.ts';
import { CallStatusReport, recordCallStatus } from '../services/deliveries/call-status.ts';
import { recordProviderReport } from '../services/suppressions/suppressions.ts';
import type { SuppressionEvent } from '../store/suppressions.ts';
import { parseJsonBody, parseValue } from './json.ts';
import { ingestRoutes } from './routes.ts';
import { SnsEnvelope, type SnsMessage, type SnsVerifier } from './sns-verify.ts';
import type { ParserDeps } from './types.ts';

interface ProviderReportDeps {
  readonly sns: SnsVerifier;
  /** The auth tokens of the plan's `sms-twilio` channels, as they are now. */
  twilioTokens(): readonly string[];
}

const Email = z.email().max(254);
const Recipient = z.looseObject({
  emailAddress: z.string().max(320),
  status: z.string().max(32).optional(),
  diagnosticCode: z.string().max(2000).optional(),
});

/** SES's notification (or event publishing's record, which names its type `eventType`). */
const SesNotification = z.looseObject({
  notificationType: z.string().max(40).optional(),
  eventType: z.string().max(40).optional(),
  bounce: z
    .looseObject({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string().max(100).optional(),
      bouncedRecipients: z.array(Recipient).max(100),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(Recipient).max(100),
      complaintFeedbackType: z.string().max(100).optional(),
    })
    .optional(),
});
type SesNotification = z.infer<typeof SesNotification>;

/** The suppression events an SES notification stands for (none for a delivery). */
function sesEvents(n: SesNotification): SuppressionEvent[] {
  const type = n.notificationType ?? n.eventType;
  const events: SuppressionEvent[] = [];
  const add = (address: string, reason: SuppressionEvent['reason'], detail: string) => {
    const email = Email.safeParse(address.trim());
    if (email.success) {
      events.push({ kind: 'email', contactKey: email.data.toLowerCase(), reason, source: 'ses', detail });
    }
  };
  if (type === 'Bounce' && n.bounce) {
    const { bounceType, bounceSubType } = n.bounce;
    for (const r of n.bounce.bouncedRecipients) {
      add(
        r.emailAddress,
        bounceType === 'Permanent' ? 'hard_bounce' : 'soft_bounce',
        `${bounceType}/${bounceSubType ?? 'General'}: ${r.diagnosticCode ?? r.status ?? 'no diagnostic'}`,
      );
    }
  } else if (type === 'Complaint' && n.complaint) {
    for (const r of n.complaint.complainedRecipients) {
      add(r.emailAddress, 'complaint', `complaint: ${n.complaint.complaintFeedbackType ?? 'not given'}`);
    }
  }
  return events;
}

/**
 * Twilio error codes of an undelivered or failed message that say the number will not take
 * messages (30005 unknown handset, 30006 landline or unreachable carrier, 30004 blocked, 21610
 * opted out, 21211/21612/21614 not a number Twilio can text); and those that may pass (30003
 * unreachable handset, 30008 unknown), counted as soft bounces.
 * https://www.twilio.com/docs/api/errors
 */
const twilioPermanent = new Set(['30004', '30005', '30006', '21211', '21610', '21612', '21614']);
const twilioSoft = new Set(['30003', '30008']);

function twilioEvent(params: URLSearchParams): SuppressionEvent | null {
  const status = params.get('MessageStatus') ?? params.get('SmsStatus');
  const code = params.get('ErrorCode') ?? '';
  const to = params.get('To') ?? '';
  if ((status !== 'undelivered' && status !== 'failed') || !/^\+[1-9]\d{6,14}$/.test(to)) return null;
  const reason = twilioPermanent.has(code) ? 'undeliverable' : twilioSoft.has(code) ? 'soft_bounce' : null;
  if (reason === null) return null;
  const sid = params.get('MessageSid') ?? params.get('SmsSid') ?? '';
  return {
    kind: 'sms',
    contactKey: to,
    reason,
    source: 'twilio',
    detail: `${status} ${code}${sid ? ` (${sid.slice(0, 64)})` : ''}`,
  };
}

const maxBodyBytes = 256 * 1024;

function providerReportRoutes(deps: Omit<Ctx, 'actor'>, reports: ProviderReportDeps) {
  const ctxOf = (req: FastifyRequest, source: string): Ctx => ({
    ...deps,
    log: deps.log.child({ request_id: String(req.id), report_source: source }),
    actor: { id: source, role: 'viewer', source: req.ip, requestId: String(req.id) },
  });
  const bodyOf = (req: FastifyRequest) => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  return async (app: FastifyInstance) => {
    // Bodies are read as bytes: SNS posts JSON as text/plain, and Twilio's signature covers the form as sent.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );

    app.post('/webhooks/ses', { schema: { hide: true } }, async (req, reply) => {
      const topics = deps.config.suppression.sesTopics;
      if (topics.length === 0) {
        throw new CrierError(
          'not_found',
          'SES notifications are not taken here: CRIER_SES_SNS_TOPICS is not set.',
        );
      }
      const envelope = parseJsonBody(bodyOf(req), SnsEnvelope, 'an Amazon SNS message');
      if (!topics.includes(envelope.TopicArn)) {
        throw new CrierError('forbidden', 'The SNS topic is not one of CRIER_SES_SNS_TOPICS.');
      }
      const ctx = ctxOf(req, 'ses');
      try {
        await reports.sns.verify(envelope as SnsMessage);
      } catch (err) {
        ctx.log.warn({ reason: (err as Error).message }, 'SES notification refused: bad signature');
        throw err;
      }
      switch (envelope.Type) {
        case 'SubscriptionConfirmation': {
          const confirmed = envelope.SubscribeURL
            ? await reports.sns.confirm(envelope.SubscribeURL).catch(() => false)
            : false;
          ctx.log.info({ topic: envelope.TopicArn, confirmed }, 'SES notification topic subscription');
          if (!confirmed) {
            throw new CrierError(
              'validation_failed',
              'The subscription could not be confirmed: confirm it in the SNS console.',
            );
          }
          return reply.send({ status: 'subscribed', topic: envelope.TopicArn });
        }
        case 'UnsubscribeConfirmation':
          return reply.send({ status: 'unsubscribed', topic: envelope.TopicArn });
        case 'Notification': {
          let message: unknown;
          try {
            message = JSON.parse(envelope.Message);
          } catch {
            throw new CrierError(
              'validation_failed',
              'The SNS message is not an SES notification (not JSON).',
            );
          }
          const notification = parseValue(message, SesNotification, 'an SES notification');
          const counts = await recordProviderReport(ctx, 'ses', sesEvents(notification));
          return reply.send({ status: 'accepted', ...counts });
        }
      }
    });

    app.post('/webhooks/twilio/status', { schema: { hide: true } }, async (req, reply) => {
      const params = new URLSearchParams(bodyOf(req).toString('utf8'));
      const signature = String(req.headers['x-twilio-signature'] ?? '');
      const url = `${deps.config.publicUrl}${req.url}`;
      if (!verifyTwilio(reports.twilioTokens(), url, params, signature)) {
        throw new CrierError('forbidden', 'The X-Twilio-Signature does not match.');
      }
      const event = twilioEvent(params);
      if (event) await recordProviderReport(ctxOf(req, 'twilio'), 'twilio', [event]);
      return reply.code(204).send();
    });

    app.post('/webhooks/twilio/call-status', { schema: { hide: true } }, async (req, reply) => {
      const params = new URLSearchParams(bodyOf(req).toString('utf8'));
      const signature = String(req.headers['x-twilio-signature'] ?? '');
      // Signed over the URL Twilio was given, the delivery's id in its query included.
      if (!verifyTwilio(reports.twilioTokens(), `${deps.config.publicUrl}${req.url}`, params, signature)) {
        throw new CrierError('forbidden', 'The X-Twilio-Signature does not match.');
      }
      const query = new URLSearchParams(req.url.split('?')[1] ?? '');
      const report = CallStatusReport.safeParse({
        deliveryId: query.get('delivery') ?? '',
        callSid: params.get('CallSid') ?? '',
        status: params.get('CallStatus') ?? '',
      });
      if (!report.success) {
        throw new CrierError(
          'validation_failed',
          'Not a call status callback.',
          report.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      }
      await recordCallStatus(ctxOf(req, 'twilio'), report.data);
      return reply.code(204).send();
    });
  };
}

/** The alert routes and these, sharing one SNS verifier (and its certificate cache). */
export function ingestWithReports(
  deps: Omit<Ctx, 'actor'>,
  parserDeps: ParserDeps,
  twilioTokens: () => readonly string[],
) {
  return async (app: FastifyInstance) => {
    await app.register(ingestRoutes(deps, parserDeps));
    await app.register(providerReportRoutes(deps, { sns: parserDeps.sns, twilioTokens }));
  };
}
