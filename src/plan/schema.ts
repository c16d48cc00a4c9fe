/**
 * The communication plan, `crier.yaml`: who leads, what is said per
 * scenario, who approves, how often, to whom and on which channels. One Zod
 * schema; its JSON Schema (for editors) is generated from it, and the
 * checks that need the whole plan (references, templates, secrets) are in
 * check.ts. Every section is optional so a plan can grow from a single
 * `channels:` block; `crier plan check` says what a complete plan lacks.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { approverGroups, defaultApprovalFallback } from '../domain/approval.ts';
import { impacts } from '../domain/components.ts';
import { incidentStatuses } from '../domain/incidents.ts';
import { type PageLanguage, pageLanguages } from '../domain/languages.ts';
import { isSupportedCountry } from '../domain/phone-numbers.ts';
import { incidentRoles } from '../domain/roles.ts';
import { ChannelsSection } from './channels.ts';
import { GameDaysSection } from './game-days.ts';
import { Duration, Name, SeverityName } from './primitives.ts';
import { RunbookSpec } from './runbooks.ts';
import { SentimentSection } from './sentiment.ts';
import { SingleSignOnSection } from './single-sign-on.ts';

const PageSection = z.strictObject({
  name: z.string().trim().min(1).max(100).describe('The page and company name customers see.'),
  url: z.url().optional().describe('The public status page address, used in links.'),
  time_zone: z
    .string()
    .default('UTC')
    .describe('IANA time zone in which times appear in messages (Europe/Paris).'),
  language: z
    .enum(pageLanguages)
    .default('en')
    .describe(
      'The language the status page speaks at its own address; every other is below /LANG/ (/fr/, /ja/). Messages fall back to it.',
    ),
  languages: z
    .array(z.enum(pageLanguages))
    .max(pageLanguages.length)
    .default([])
    .describe(
      'Other languages messages are written in ([fr, de]): subscribers may choose one, and each scenario gives its templates in it under `translations`.',
    ),
  default_region: z
    .string()
    .refine(isSupportedCountry, 'an ISO 3166-1 country code with a telephone numbering plan (US, FR)')
    .optional()
    .describe(
      'The country whose national format subscribers may write phone numbers in ((415) 555-0100 for US); without it, numbers start with + and the country code. Stored as E.164 either way.',
    ),
});

const RoleSpec = z
  .strictObject({
    rota: z
      .array(z.string().trim().min(1).max(200))
      .max(200)
      .default([])
      .describe('People who take turns holding the role, as their API token names (usually email).'),
    shift: Duration.optional().describe('How long each turn lasts; without it, the first person holds it.'),
    rota_start: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the first person’s first turn began (ISO 8601).'),
    channel: Name.optional().describe(
      'Where this role’s notices go; the internal audience’s channels otherwise.',
    ),
    phones: z
      .record(
        z.string().trim().min(1).max(200),
        z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'a phone number in E.164 form (+15550100)'),
      )
      .default({})
      .describe('Phone numbers of people in the rota (by the name the rota gives), for pages by SMS.'),
  })
  .describe('A role on every incident.');

const RolesSection = z.strictObject(
  Object.fromEntries(incidentRoles.map((r) => [r, RoleSpec.optional()])) as Record<
    (typeof incidentRoles)[number],
    z.ZodOptional<typeof RoleSpec>
  >,
);

const IncidentRoleName = z.enum(incidentRoles);

const ApprovalSpec = z
  .union([
    z.literal('none').describe('External updates go out without approval.'),
    IncidentRoleName.describe('The holder of this incident role approves.'),
    z.strictObject({
      any_of: z.array(IncidentRoleName).min(1).describe('Holders of any of these roles may approve.'),
      count: z.number().int().min(1).max(5).default(1).describe('Distinct approvers needed.'),
      publish_unapproved_after: Duration.optional().describe(
        'Publish a pending draft unapproved after this long (recorded as such). Only for the highest severities.',
      ),
    }),
  ])
  .describe('Who must approve external updates.');

export const SeveritySpec = z.strictObject({
  description: z.string().max(500).optional(),
  first_external_within: Duration.optional().describe('Target from detection to the first public notice.'),
  external_cadence: Duration.optional().describe('Next external update due this long after the last.'),
  internal_cadence: Duration.optional().describe('Next internal update due this long after the last.'),
  remind_before: Duration.optional().describe(
    'Remind the comms lead this long before an update is due (5m).',
  ),
  overdue_after: Duration.optional().describe('Tell the incident lead too once an update is this late (5m).'),
  approval: ApprovalSpec.default('none'),
  approval_fallback: z
    .array(z.enum(approverGroups))
    .max(4)
    .default([...defaultApprovalFallback])
    .describe(
      'Who may approve, in order, once every approver named above wrote or changed the draft ([incident_lead, admin]). As the last resort an admin may always approve, with a written reason.',
    ),
  audiences: z
    .array(Name)
    .max(50)
    .optional()
    .describe('Audiences that hear about incidents of this severity.'),
  components_wait_for_approval: z
    .boolean()
    .default(false)
    .describe(
      'Hold the component statuses an update sets until its words are published; by default they go live at once, while the words wait for approval.',
    ),
});

const Network = z
  .string()
  .refine(
    (v) => ipaddr.isValidCIDR(v) || ipaddr.isValid(v),
    'an address or a network: 203.0.113.0/24, 2001:db8::/32',
  )
  .describe('A client address or network (CIDR).');

export const PrivatePageSpec = z.strictObject({
  links: z
    .boolean()
    .default(true)
    .describe(
      'Each subscriber of the audience opens the page through the signed link in their messages (valid 30 days, renewed by each visit).',
    ),
  staff: z.boolean().default(true).describe('People signed in to the console open the page.'),
  networks: z
    .array(Network)
    .max(100)
    .default([])
    .describe('Client addresses or networks that open the page without a link.'),
});
export type PrivatePageSpec = z.infer<typeof PrivatePageSpec>;

const AudienceSpec = z.strictObject({
  description: z.string().max(500).optional(),
  channels: z.array(Name).max(50).default([]).describe('Channels this audience hears on.'),
  private_page: z
    .union([z.boolean(), PrivatePageSpec])
    .default(false)
    .describe(
      'A private status page for this audience at /a/AUDIENCE/: `true` (reached by subscribers’ links and staff), or who reaches it.',
    ),
  chat_room_per_incident: z
    .boolean()
    .default(false)
    .describe(
      'The internal audience only: a chat room per incident, opened when it is declared by the bot of each of its channels that has one (docs/chat.md).',
    ),
});

const TemplateText = z.string().min(1).max(20_000).describe('A LiquidJS template.');

export const TemplateSet = z.union([
  TemplateText,
  z.strictObject({
    text: TemplateText.describe('The generic text: status page, email body, webhooks.'),
    sms: TemplateText.optional(),
    voice: TemplateText.optional().describe(
      'What a phone call says (docs/plan.md, Voice); without it, the `sms` text, else `text`.',
    ),
    chat: TemplateText.optional(),
    social: TemplateText.optional(),
    email_subject: TemplateText.optional(),
  }),
]);

const TemplatesByStatus = z.strictObject(
  Object.fromEntries(incidentStatuses.map((s) => [s, TemplateSet.optional()])) as Record<
    (typeof incidentStatuses)[number],
    z.ZodOptional<typeof TemplateSet>
  >,
);

export const ScenarioSpec = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(1000).optional(),
  severity: SeverityName.optional().describe('The severity an incident of this scenario is declared with.'),
  impact: z
    .enum(impacts)
    .optional()
    .describe('The incident impact (Statuspage): none, minor, major, critical.'),
  customer_impact: z
    .string()
    .max(1000)
    .optional()
    .describe('What customers experience, in their words; the {{ impact }} variable by default.'),
  workaround: z.string().max(1000).optional(),
  components: z.array(z.string().min(1).max(64)).max(100).default([]),
  templates: TemplatesByStatus.default({}),
  translations: z
    .partialRecord(z.enum(pageLanguages), TemplatesByStatus)
    .default({})
    .describe(
      "The templates in another language the page declares (`fr: { investigating: ... }`); a status without one falls back to the page's language.",
    ),
});

const Limits = z.strictObject({
  sms_segments: z.number().int().min(1).max(10).optional(),
  chat: z.number().int().min(10).max(40_000).optional(),
  social: z.number().int().min(10).max(5_000).optional(),
  push: z.number().int().min(10).max(4_000).optional(),
  email_subject: z.number().int().min(10).max(998).optional(),
  voice_seconds: z
    .number()
    .int()
    .min(5)
    .max(600)
    .optional()
    .describe('Seconds a call may take to say its text once (45 by default).'),
});

const LintSpec = z.strictObject({
  max_grade: z.number().min(1).max(20).default(9).describe('Highest Flesch–Kincaid grade for external text.'),
  internal_terms: z
    .array(z.string().trim().min(1).max(100))
    .max(1000)
    .default([])
    .describe('Host names, service names and code names that must never reach customers.'),
  allow_terms: z.array(z.string().trim().min(1).max(100)).max(1000).default([]),
  limits: Limits.default({}),
});

const JsonPath = z
  .string()
  .regex(/^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/, 'a dotted path such as alert.title or items.0.id')
  .describe('Where in the JSON body: field names joined by dots (alert.labels, items.0.id).');

export const GenericMapping = z
  .strictObject({
    alerts: JsonPath.optional().describe(
      'Where the list of alerts is; without it, the whole body is one alert. The other paths are read inside each alert.',
    ),
    title: JsonPath.describe('The alert’s title.'),
    status: JsonPath.optional().describe('Its state; without it, every alert is firing.'),
    resolved_values: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(20)
      .default(['resolved', 'ok', 'closed', 'inactive', 'normal'])
      .describe('Values of `status` (any case) that mean resolved; any other value means firing.'),
    fingerprint: JsonPath.optional().describe(
      'What identifies the alert across deliveries; without it, the title and labels do.',
    ),
    labels: JsonPath.optional().describe('An object of labels.'),
    annotations: JsonPath.optional().describe('An object of annotations.'),
    severity: JsonPath.optional(),
    link: JsonPath.optional().describe('A link back to the alert.'),
    starts_at: JsonPath.optional(),
    ends_at: JsonPath.optional(),
  })
  .describe('How `POST /ingest/generic/:key` reads a JSON body (docs/ingest.md).');
export type GenericMapping = z.infer<typeof GenericMapping>;

const IngestSection = z.strictObject({
  generic: GenericMapping.optional(),
  reopen_window: Duration.optional().describe(
    'An alert that fires again this soon after its incident resolved reopens that incident; later, it declares a new one. 30m when absent.',
  ),
});
const DrillSection = z
  .strictObject({
    audience: Name.default('internal').describe(
      'The audience whose subscribers and channels hear drills: the team’s own (internal by default), never one customers are in.',
    ),
  })
  .describe('Drills: who hears them (docs/drills.md).');

export const Plan = z.strictObject({
  version: z.literal(1).default(1),
  page: PageSection.optional(),
  roles: RolesSection.default({}),
  severities: z.record(SeverityName, SeveritySpec).default({}).describe('Highest severity first.'),
  audiences: z.record(Name, AudienceSpec).default({}),
  channels: ChannelsSection.default({}),
  scenarios: z.record(Name, ScenarioSpec).default({}),
  lint: LintSpec.default({ max_grade: 9, internal_terms: [], allow_terms: [], limits: {} }),
  ingest: IngestSection.default({}).describe('How alerts coming in are read (docs/ingest.md).'),
  drill: DrillSection.default({ audience: 'internal' }),
  single_sign_on: SingleSignOnSection.optional(),
  drills: GameDaysSection,
  sentiment: SentimentSection.optional(),
  runbooks: z
    .array(RunbookSpec)
    .max(200)
    .default([])
    .describe(
      'When an alert comes in (docs/ingest.md), what to do: declare, notify, page, and close once it resolves.',
    ),
});
export type Plan = z.infer<typeof Plan>;
export type SeveritySpec = z.infer<typeof SeveritySpec>;
export type ScenarioSpec = z.infer<typeof ScenarioSpec>;
export type TemplateSet = z.infer<typeof TemplateSet>;

/** Every language the plan writes messages in: the page's first, then the others it declares. */
export function planLanguages(plan: Plan | null): PageLanguage[] {
  const first = plan?.page?.language ?? 'en';
  return [first, ...(plan?.page?.languages ?? []).filter((l) => l !== first)];
}

/** Channels every plan has without configuring them: the status page itself and its feeds. */
export const builtInChannels = ['status-page', 'feed'] as const;

/** An audience's private page, as the plan asks for it; null when it has none (`public` never has one). */
export function privatePageOf(plan: Plan | null, audience: string): PrivatePageSpec | null {
  if (audience === 'public') return null;
  const spec = plan?.audiences[audience]?.private_page;
  if (spec === undefined || spec === false) return null;
  return spec === true ? { links: true, staff: true, networks: [] } : spec;
}

/** The audiences that have a private page, in the plan's order. */
export function privateAudiencesOf(plan: Plan | null): string[] {
  return Object.keys(plan?.audiences ?? {}).filter((a) => privatePageOf(plan, a) !== null);
}

export { RunbookSpec, runbookName } from './runbooks.ts';
