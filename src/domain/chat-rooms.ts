/**
 * A room per incident, in words: its name (from the date and the incident,
 * in the character set both Slack and Mattermost accept) and its topic (the
 * status and when the next update is due).
 */

/** Lowercase letters, digits and hyphens, at most 64 characters, unique by the incident's id. */
export function roomName(incident: { id: string; name: string; declared_at: string; drill: number }): string {
  const date = incident.declared_at.slice(0, 10);
  const slug = incident.name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/g, '');
  const prefix = incident.drill === 1 ? 'drill' : 'inc';
  return [prefix, date, slug, incident.id.slice(0, 6)].filter((part) => part !== '').join('-');
}

/** What the room's topic says: the status, the severity, and when the next update is due. */
export function roomTopic(incident: {
  name: string;
  status: string;
  severity: string | null;
  next_update_due_at: string | null;
  drill: number;
}): string {
  const parts = [
    `${incident.drill === 1 ? '[DRILL] ' : ''}${incident.name}`,
    `status: ${incident.status}`,
    ...(incident.severity ? [incident.severity] : []),
    incident.status === 'resolved' || incident.status === 'postmortem'
      ? 'resolved'
      : incident.next_update_due_at
        ? `next update due ${incident.next_update_due_at.slice(0, 16).replace('T', ' ')} UTC`
        : 'no update due',
  ];
  return parts.join(' · ');
}
