/**
 * Amazon CloudWatch alarms through an SNS topic with an HTTP/S subscription.
 * Every SNS message's signature is verified first (sns-verify.ts). A
 * `SubscriptionConfirmation` is confirmed by visiting its `SubscribeURL`
 * (allowed hosts only); a `Notification` carries the alarm's state change as
 * JSON in `Message`: ALARM fires, OK resolves, INSUFFICIENT_DATA changes
 * nothing. The alarm's ARN identifies it across deliveries.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
import { z } from 'zod';
import { type Alert, instantOrNull } from '../domain/alerts.ts';
import { CrierError } from '../domain/errors.ts';
import { linkOrNull, parseJsonBody, parseValue } from './json.ts';
import { SnsEnvelope, type SnsMessage } from './sns-verify.ts';
import type { IngestParser } from './types.ts';

const Dimension = z.object({ name: z.string().max(255), value: z.string().max(1024) });

const AlarmMessage = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).nullish(),
  AWSAccountId: z.string().max(20).optional(),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: z.string().max(10_000).optional(),
  StateChangeTime: z.string().max(64).optional(),
  Region: z.string().max(100).optional(),
  AlarmArn: z.string().max(1000).optional(),
  OldStateValue: z.string().max(50).optional(),
  Trigger: z
    .object({
      MetricName: z.string().max(255).nullish(),
      Namespace: z.string().max(255).nullish(),
      Dimensions: z.array(Dimension).max(30).nullish(),
    })
    .partial()
    .nullish(),
});
type AlarmMessage = z.infer<typeof AlarmMessage>;

/** `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Name` → `us-east-1`. */
function regionCode(arn: string | undefined): string | undefined {
  return arn?.split(':')[3] || undefined;
}

function alarmAlert(alarm: AlarmMessage): Alert | null {
  if (alarm.NewStateValue === 'INSUFFICIENT_DATA') return null;
  const region = regionCode(alarm.AlarmArn);
  const labels: Record<string, string> = { alarm_name: alarm.AlarmName };
  if (alarm.AWSAccountId) labels.account = alarm.AWSAccountId;
  if (region) labels.region = region;
  if (alarm.Trigger?.Namespace) labels.namespace = alarm.Trigger.Namespace;
  if (alarm.Trigger?.MetricName) labels.metric = alarm.Trigger.MetricName;
  for (const d of alarm.Trigger?.Dimensions ?? []) labels[d.name] = d.value;
  const firing = alarm.NewStateValue === 'ALARM';
  const changed = instantOrNull(alarm.StateChangeTime);
  return {
    source: 'cloudwatch',
    fingerprint: alarm.AlarmArn ?? `${alarm.AWSAccountId ?? ''}:${alarm.Region ?? ''}:${alarm.AlarmName}`,
    status: firing ? 'firing' : 'resolved',
    title: alarm.AlarmDescription || alarm.AlarmName,
    severity: null,
    labels,
    annotations: {
      ...(alarm.AlarmDescription && { description: alarm.AlarmDescription }),
      ...(alarm.NewStateReason && { reason: alarm.NewStateReason.slice(0, 4000) }),
    },
    startsAt: firing ? changed : null,
    endsAt: firing ? null : changed,
    link: region
      ? linkOrNull(
          `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarm.AlarmName)}`,
        )
      : null,
  };
}

export const parseCloudwatch: IngestParser = async (request, deps) => {
  const envelope = parseJsonBody(request.body, SnsEnvelope, 'an Amazon SNS message');
  await deps.sns.verify(envelope as SnsMessage);
  switch (envelope.Type) {
    case 'SubscriptionConfirmation': {
      if (!envelope.SubscribeURL)
        throw new CrierError('validation_failed', 'The confirmation has no SubscribeURL.');
      const confirmed = await deps.sns.confirm(envelope.SubscribeURL).catch(() => false);
      return {
        kind: 'handled',
        note: confirmed
          ? `subscribed to ${envelope.TopicArn}`
          : `could not confirm the subscription to ${envelope.TopicArn}: confirm it in the SNS console with the token in the stored payload`,
      };
    }
    case 'UnsubscribeConfirmation':
      return { kind: 'handled', note: `unsubscribed from ${envelope.TopicArn}` };
    case 'Notification': {
      let message: unknown;
      try {
        message = JSON.parse(envelope.Message);
      } catch {
        throw new CrierError(
          'validation_failed',
          'The SNS message is not a CloudWatch alarm (its Message is not JSON).',
        );
      }
      const alarm = parseValue(message, AlarmMessage, 'a CloudWatch alarm state change');
      const alert = alarmAlert(alarm);
      return { kind: 'alerts', alerts: alert ? [alert] : [] };
    }
  }
};
