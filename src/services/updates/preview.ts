/** How a draft will read on each channel it goes out on: the text, its length or SMS segments, and lint. */
import { type ChannelKind, checkLength } from '../../domain/channel-limits.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import { type LintProblem, lintMessage } from '../../domain/lint.ts';
import { channelsForAudience, limitsOf, lintOptions } from '../../plan/policy.ts';
import type { Db } from '../../store/db.ts';
import { currentPlan } from '../plan/current.ts';
import { requireUpdate, variantsOf } from './rows.ts';

export interface ChannelPreview {
  channel: string;
  type: string;
  kind: ChannelKind;
  /** Which text it uses: the body, or the draft's variant for this kind. */
  source: 'body' | 'sms' | 'chat' | 'social';
  text: string;
  subject: string | null;
  length: number;
  limit: number | null;
  unit: 'characters' | 'segments';
  segments: number | null;
  encoding: string | null;
  fits: boolean;
  lint: LintProblem[];
}

export interface UpdatePreview {
  update_id: string;
  state: string;
  audience: string;
  status: string;
  channels: ChannelPreview[];
}

export async function previewUpdate(db: Db, incidentId: string, updateId: string): Promise<UpdatePreview> {
  const row = await requireUpdate(db, incidentId, updateId);
  const plan = await currentPlan(db);
  const variants = variantsOf(row.rendered);
  const status = row.status as IncidentStatus;
  const external = row.audience !== 'internal';
  const channels = channelsForAudience(plan, row.audience).map((c): ChannelPreview => {
    const own = c.variant !== null ? variants[c.variant] : undefined;
    const text = own ?? row.body;
    const check = checkLength(c.kind, text, limitsOf(plan), c.maxLength);
    return {
      channel: c.name,
      type: c.type,
      kind: c.kind,
      source: own !== undefined && c.variant !== null ? c.variant : 'body',
      text,
      subject: c.kind === 'email' ? (variants.email_subject ?? null) : null,
      length: check.length,
      limit: check.limit,
      unit: check.unit,
      segments: check.segments ?? null,
      encoding: check.encoding ?? null,
      fits: check.ok,
      lint:
        external && plan !== null ? lintMessage(text, lintOptions(plan, status, c.kind, c.maxLength)) : [],
    };
  });
  return { update_id: row.id, state: row.state, audience: row.audience, status: row.status, channels };
}
