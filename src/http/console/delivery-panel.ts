/**
 * Where one published update's notifications stand, in the war room: how
 * many of each channel went out, with a bar per channel, and the
 * deliveries that failed, each with its recipient masked, the provider's
 * error (for those who may read contacts: errors can quote one) and the
 * attempts made; a dead one can be replayed on its own. The page follows
 * deliveries live (docs/adr/0013-console-server-rendered.md).
 */
import { can, type Role } from '../../domain/permissions.ts';
import type { DeliveryFailure } from '../../services/incidents/delivery-failures.ts';
import type { UpdateDeliveryCounts } from '../../services/subscribers/queries.ts';
import { type Html, html } from './html.ts';
import { post, when } from './parts.ts';

const sum = (states: Record<string, number>) => Object.values(states).reduce((a, b) => a + b, 0);
const failing = (states: Record<string, number>) => (states.failed ?? 0) + (states.dead ?? 0);

function channelLine(channel: string, states: Record<string, number>): Html {
  const total = sum(states);
  const sent = states.sent ?? 0;
  const bad = failing(states);
  return html`<li><span class="channel">${channel}</span> <progress max="${total}" value="${sent}" aria-label="${channel}: ${sent} of ${total} delivered"></progress>
${sent} of ${total}${bad > 0 && html`, <strong>${bad} failing</strong>`}${total - sent - bad > 0 && html`, ${total - sent - bad} waiting`}</li>`;
}

function failureLine(role: Role, incidentId: string, f: DeliveryFailure): Html {
  const what =
    f.state === 'dead'
      ? html`gave up after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}`
      : html`attempt ${f.attempts} failed; next ${when(f.next_attempt_at)}`;
  return html`<li><strong>${f.recipient}</strong> <span class="muted">(${f.channel})</span>: ${what}${
    can(role, 'subscriber.read') &&
    f.last_error !== null &&
    html`<br><q class="error-text">${f.last_error}</q>`
  }${
    f.state === 'dead' &&
    can(role, 'delivery.replay') &&
    post(`/console/incidents/${incidentId}/deliveries/${f.id}/replay`, 'Replay this one', '', 'secondary')
  }</li>`;
}

export function deliveryPanel(
  role: Role,
  incidentId: string,
  counts: UpdateDeliveryCounts | undefined,
  failures: readonly DeliveryFailure[],
): Html | string {
  if (counts === undefined || counts.total === 0) return '';
  const sent = counts.by_state.sent ?? 0;
  const bad = failing(counts.by_state);
  const dead = counts.by_state.dead ?? 0;
  return html`<div class="delivery"><p class="muted">Delivered ${sent} of ${counts.total} (${Math.floor((sent * 100) / counts.total)}%)${
    bad > 0 && html`, <strong>${bad} failing</strong>`
  }</p>
<ul class="channels">${Object.entries(counts.by_channel).map(([channel, states]) => channelLine(channel, states))}</ul>
${
  failures.length > 0 &&
  html`<h4>Failures${bad > failures.length && html` <span class="muted">(the latest ${failures.length} of ${bad})</span>`}</h4>
<ul class="failures">${failures.map((f) => failureLine(role, incidentId, f))}</ul>`
}${
  dead > 1 &&
  can(role, 'delivery.replay') &&
  post(
    `/console/incidents/${incidentId}/updates/${counts.update_id}/replay`,
    `Replay all ${dead} failed`,
    '',
    'secondary',
  )
}</div>`;
}
