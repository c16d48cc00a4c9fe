/**
 * Turning a delivery's subject (an incident update, a maintenance notice, a
 * confirmation) into a Message. The shared part is read once per subject and
 * cached; each subscriber adds its own links and the delivery id.
 */
import type { Message, WebhookEvent } from '../channels/types.ts';
import type { ChannelKind, TemplateVariant, TextVariant } from '../domain/channel-limits.ts';
import { type IncidentStatus, incidentStatusLabels } from '../domain/incidents.ts';
import { getIncident } from '../services/incidents/queries.ts';
import { getMaintenance } from '../services/maintenances/queries.ts';
import { pageIdOf } from '../statuspage/snapshot.ts';
import { v2IncidentOn } from '../statuspage/v2.ts';
import type { Db } from '../store/db.ts';

/** What one subject says to everyone; `variants` are the update's texts per channel kind, from its template. */
type Base = Omit<Message, 'id' | 'manageUrl' | 'unsubscribeUrl' | 'confirmUrl'> & {
  variants?: Partial<Record<TemplateVariant, string>>;
};

/**
 * The text and title for one channel: the template variant its module takes
 * (SMS, chat, social) where the update has one, else the generic text; the
 * email subject for an email channel.
 */
function forChannel(
  base: Base,
  kind: ChannelKind | undefined,
  variant: TextVariant | null,
): Omit<Base, 'variants'> {
  const { variants = {}, ...rest } = base;
  if (kind === undefined) return rest;
  const text = (variant && variants[variant]) || rest.text;
  const title = (kind === 'email' && variants.email_subject) || rest.title;
  return { ...rest, text, title };
}

export interface RenderTarget {
  deliveryId: string;
  subjectType: string;
  subjectId: string;
  token: string;
  confirmToken: string | null;
  /** A webhook subscriber's signing secret, handed over in its welcome message. */
  secret: string | null;
  /** The kind of channel it goes out on (an email's subject, a webhook's event). */
  channelKind?: ChannelKind;
  /** The template variant that channel's module takes. */
  variant?: TextVariant | null;
}

const maintenanceTitles: Record<string, string> = {
  scheduled: 'Scheduled maintenance',
  reminder: 'Maintenance starts soon',
  in_progress: 'Maintenance in progress',
  completed: 'Maintenance completed',
  cancelled: 'Maintenance cancelled',
};

export class Renderer {
  readonly #db: Db;
  readonly #publicUrl: string;
  readonly #cache = new Map<string, Promise<Base>>();
  /** Each subject's message for each kind and variant of channel, worked out once per fan-out rather than per message. */
  readonly #kinds = new WeakMap<Base, Map<string, Omit<Base, 'variants'>>>();
  /** Each subject's event serialized up to where each subscriber's `meta` goes (see #eventJson). */
  readonly #eventHeads = new WeakMap<object, string | null>();

  constructor(db: Db, publicUrl: string) {
    this.#db = db;
    this.#publicUrl = publicUrl;
  }

  async render(t: RenderTarget): Promise<Message> {
    const manageUrl = `${this.#publicUrl}/unsubscribe/${t.token}`;
    const links = { manageUrl, unsubscribeUrl: manageUrl };
    if (t.subjectType === 'confirmation') {
      return {
        id: t.deliveryId,
        kind: 'confirmation',
        title: 'Confirm your subscription',
        text: 'Someone, hopefully you, asked to receive status updates here. Nothing more will be sent unless the subscription is confirmed.',
        confirmUrl: `${this.#publicUrl}/confirm/${t.confirmToken ?? ''}`,
        ...links,
      };
    }
    if (t.subjectType === 'welcome') {
      return {
        id: t.deliveryId,
        kind: 'welcome',
        title: 'You are subscribed',
        text: 'This address will now receive status updates. Every message carries a link to unsubscribe.',
        url: this.#publicUrl,
        event: {
          meta: { unsubscribe: manageUrl, documentation: `${this.#publicUrl}/docs/webhooks` },
          subscription: {
            status: 'subscribed',
            // Standard Webhooks secret for verifying every later message; sent once, to this URL only.
            ...(t.secret && { secret: t.secret }),
          },
        },
        ...links,
      };
    }
    const base = this.#forChannel(
      await this.#base(t.subjectType, t.subjectId),
      t.channelKind,
      t.variant ?? null,
    );
    const meta = { unsubscribe: manageUrl, documentation: `${this.#publicUrl}/docs/webhooks` };
    const event = base.event && { ...base.event, meta };
    // Serialized ahead only for a webhook (or a caller that does not say which channel).
    const forWebhook = t.channelKind === undefined || t.channelKind === 'webhook';
    const eventJson = base.event && forWebhook ? this.#eventJson(base.event, meta) : undefined;
    return {
      ...base,
      ...(event && { event }),
      ...(eventJson && { eventJson }),
      id: t.deliveryId,
      ...links,
    };
  }

  /**
   * `JSON.stringify({ ...event, meta })` without serializing the shared event for every
   * subscriber: its text up to the closing brace is kept, and each message adds its own `meta`.
   * An event that has a `meta` of its own (none does today) is serialized whole.
   */
  #eventJson(event: WebhookEvent, meta: Record<string, string>): string {
    let head = this.#eventHeads.get(event);
    if (head === undefined) {
      const whole = JSON.stringify(event);
      head = 'meta' in event ? null : `${whole.slice(0, -1)}${whole === '{}' ? '' : ','}"meta":`;
      this.#eventHeads.set(event, head);
    }
    return head === null ? JSON.stringify({ ...event, meta }) : `${head}${JSON.stringify(meta)}}`;
  }

  #forChannel(
    base: Base,
    kind: ChannelKind | undefined,
    variant: TextVariant | null,
  ): Omit<Base, 'variants'> {
    let kinds = this.#kinds.get(base);
    if (!kinds) {
      kinds = new Map();
      this.#kinds.set(base, kinds);
    }
    const key = `${kind}:${variant}`;
    let message = kinds.get(key);
    if (!message) {
      message = forChannel(base, kind, variant);
      kinds.set(key, message);
    }
    return message;
  }

  #base(subjectType: string, subjectId: string): Promise<Base> {
    const key = `${subjectType}:${subjectId}`;
    let cached = this.#cache.get(key);
    if (!cached) {
      if (this.#cache.size > 200) this.#cache.clear();
      cached =
        subjectType === 'incident_update'
          ? this.#incident(subjectId)
          : subjectType === 'component_update'
            ? this.#component(subjectId)
            : this.#maintenance(subjectId);
      cached.catch(() => this.#cache.delete(key));
      this.#cache.set(key, cached);
    }
    return cached;
  }

  async #incident(updateId: string): Promise<Base> {
    const row = await this.#db
      .selectFrom('incident_updates')
      .select(['incident_id', 'audience', 'rendered'])
      .where('id', '=', updateId)
      .executeTakeFirstOrThrow();
    // Only what this audience was told: published updates for it, never drafts or other audiences' words.
    const incident = await getIncident(this.#db, row.incident_id, { publishedFor: row.audience });
    const update = incident.incident_updates.find((u) => u.id === updateId);
    if (!update) throw new Error(`update ${updateId} is not published for its audience`);
    const label = incidentStatusLabels[update.status as IncidentStatus] ?? update.status;
    const event: WebhookEvent = {
      page: {
        id: pageIdOf(this.#publicUrl),
        status_indicator: incident.impact,
        status_description: incident.status === 'resolved' ? 'All Systems Operational' : incident.name,
      },
      // Statuspage's incident fields only: no severity, roles or other internal fields.
      incident: v2IncidentOn(incident, { url: this.#publicUrl, pageId: pageIdOf(this.#publicUrl) }),
    };
    return {
      kind: 'incident',
      title: `${incident.name}: ${label}`,
      text: update.body,
      status: update.status,
      impact: incident.impact,
      url: `${this.#publicUrl}/incidents/${incident.id}`,
      event,
      drill: incident.drill,
      variants:
        row.rendered === null ? {} : (JSON.parse(row.rendered) as Partial<Record<TemplateVariant, string>>),
    };
  }

  /** Statuspage's component webhook: `component_update` (old and new status) and the `component`. */
  async #component(subjectId: string): Promise<Base> {
    const [updateId = '', componentId = ''] = subjectId.split(':');
    const update = await this.#db
      .selectFrom('incident_updates')
      .select(['affected_components', 'created_at', 'incident_id'])
      .where('id', '=', updateId)
      .executeTakeFirstOrThrow();
    const change = (
      JSON.parse(update.affected_components) as {
        code: string;
        name: string;
        old_status: string;
        new_status: string;
      }[]
    ).find((c) => c.code === componentId);
    const component = await this.#db
      .selectFrom('components')
      .selectAll()
      .where('id', '=', componentId)
      .executeTakeFirst();
    const name = component?.name ?? change?.name ?? componentId;
    const newStatus = change?.new_status ?? component?.status ?? 'operational';
    return {
      kind: 'incident',
      title: `${name}: ${newStatus.replace(/_/g, ' ')}`,
      text: `${name} changed from ${(change?.old_status ?? 'unknown').replace(/_/g, ' ')} to ${newStatus.replace(/_/g, ' ')}.`,
      status: newStatus,
      url: `${this.#publicUrl}/incidents/${update.incident_id}`,
      event: {
        page: {
          id: pageIdOf(this.#publicUrl),
          status_indicator: newStatus === 'operational' ? 'none' : 'minor',
          status_description: name,
        },
        component_update: {
          id: subjectId,
          component_id: componentId,
          created_at: update.created_at,
          old_status: change?.old_status ?? null,
          new_status: newStatus,
        },
        component: {
          id: componentId,
          name,
          status: component?.status ?? newStatus,
          created_at: component?.created_at ?? update.created_at,
        },
      },
    };
  }

  async #maintenance(subjectId: string): Promise<Base> {
    const [maintenanceId = '', event = 'scheduled'] = subjectId.split(':');
    const m = await getMaintenance(this.#db, maintenanceId);
    const window = `From ${m.scheduled_for} to ${m.scheduled_until} (UTC).`;
    // The latest maintenance update says what happened; notices before the start also give the window.
    const latest =
      [...m.updates].sort((a, b) => a.created_at.localeCompare(b.created_at)).at(-1)?.body ?? m.body;
    const text = event === 'scheduled' || event === 'reminder' ? `${m.body}\n\n${window}` : latest;
    return {
      kind: 'maintenance',
      title: `${maintenanceTitles[event] ?? 'Maintenance'}: ${m.name}`,
      text,
      status: m.status,
      impact: 'maintenance',
      url: `${this.#publicUrl}/incidents/${m.id}`,
      event: {
        page: {
          id: pageIdOf(this.#publicUrl),
          status_indicator: 'maintenance',
          status_description: 'Scheduled maintenance',
        },
        incident: { ...m, shortlink: `${this.#publicUrl}/incidents/${m.id}` },
      },
    };
  }
}
