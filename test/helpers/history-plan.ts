/** The test plan with a fallback for email, as the seeded histories run under it. */
import { sev1Plan } from './plan.ts';

export const fallbackPlan = sev1Plan.replace(
  '  email: { type: email-smtp, url: env:TEST_SMTP_URL, from: status@acme.example }',
  '  email: { type: email-smtp, url: env:TEST_SMTP_URL, from: status@acme.example, fallback: email-backup }\n' +
    '  email-backup: { type: email-smtp, url: env:TEST_SMTP_URL, from: backup@acme.example }',
);
