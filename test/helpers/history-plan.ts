/**
 * The seeded SEV1 history the scores and the review are checked against,
 * and the test plan with a fallback for email that it ran under.
 */
import type { Db } from '../../src/store/db.ts';
import { at, seedIncident } from './history.ts';
import { sev1Plan } from './plan.ts';

export const fallbackPlan = sev1Plan.replace(
  '  email: { type: email-smtp, url: env:TEST_SMTP_URL, from: status@acme.example }',
  '  email: { type: email-smtp, url: env:TEST_SMTP_URL, from: status@acme.example, fallback: email-backup }\n' +
    '  email-backup: { type: email-smtp, url: env:TEST_SMTP_URL, from: backup@acme.example }',
);

export const base = '2026-03-02T10:00:00.000Z';

/** The SEV1 history; `speed` squeezes every instant as a drill at that speed lives it. */
export async function seedSev1(db: Db, version: number, speed = 0) {
  const t = (m: number) => at(base, m / Math.max(speed, 1));
  return seedIncident(db, {
    severity: 'SEV1',
    scenario: 'database-degraded',
    drill_speed: speed,
    detected_at: t(0),
    declared_at: t(4),
    resolved_at: t(70),
    plan_version: version,
    updates: [
      { audience: 'internal', published_at: t(6) },
      {
        audience: 'public',
        submitted_at: t(8),
        approvals: [{ actor: 'token:carol@acme.example', at: t(11) }],
        published_at: t(11),
        next_update_at: t(41),
        // Five subscribers: four sent (one by the email fallback), one dead. Real seconds, never scaled.
        deliveries: [
          { channel: 'email', state: 'sent', after_s: 10 },
          { channel: 'email', state: 'sent', after_s: 20 },
          { channel: 'email', state: 'sent', after_s: 40, via: 'email-backup' },
          { channel: 'email', state: 'dead' },
          { channel: 'sms', state: 'sent', after_s: 5 },
        ],
      },
      {
        audience: 'enterprise',
        body: '<script>alert("x")</script> **Bold** | [link](javascript:alert(1))\n# Not a heading',
        created_by: 'token:rita@acme.example',
        submitted_at: t(25),
        published_unapproved: true,
        published_at: t(30),
        next_update_at: t(60),
      },
      {
        audience: 'public',
        submitted_at: t(45),
        approvals: [
          { actor: 'token:carol@acme.example', at: t(49) },
          { actor: 'token:ivy@acme.example', at: t(50) },
        ],
        published_at: t(50),
        next_update_at: t(80),
        lint_override: true,
      },
      { audience: 'public', status: 'resolved', published_at: t(70) },
    ],
    cadence: [
      // Public: due at 15, 41 and 80 minutes, published at 11, 50 and 70. Enterprise: due at 15, published at 30.
      { audience: 'public', due: 3, on_time: 2 },
      { audience: 'enterprise', due: 1, on_time: 0 },
    ],
  });
}
