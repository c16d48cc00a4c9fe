/**
 * Feeds and the maintenance calendar: Atom (RFC 4287), RSS 2.0 and
 * iCalendar (RFC 5545). One entry per incident, updated with each update;
 * one VEVENT per maintenance with a stable UID and SEQUENCE from the
 * maintenance's change counter, so subscribed calendars move the event.
 */
import { escapeHtml } from '../domain/html.ts';
import { markdownToText, renderMarkdown } from '../domain/markdown.ts';
import type { IncidentView } from '../services/views.ts';
import type { PageSnapshot } from './snapshot.ts';
import { v2Page } from './v2.ts';

/** XML text: the HTML escape covers the five XML entities; control characters XML forbids are dropped. */
function xml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the characters XML 1.0 forbids
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

function incidentHtml(i: IncidentView): string {
  return i.incident_updates
    .map(
      (u) =>
        `<p><strong>${escapeHtml(u.status)}</strong> (${escapeHtml(u.display_at)})</p>${renderMarkdown(u.body)}`,
    )
    .join('');
}

function lastUpdate(i: IncidentView): string {
  let latest = i.updated_at;
  for (const u of i.incident_updates) if (u.display_at > latest) latest = u.display_at;
  return latest;
}

export function renderAtom(s: PageSnapshot): string {
  const base = s.settings.url;
  const page = v2Page(s);
  const entries = s.incidents
    .map(
      (i) => `<entry>
<id>${xml(`${base}/incidents/${i.id}`)}</id>
<title>${xml(i.name)}</title>
<published>${i.created_at}</published>
<updated>${lastUpdate(i)}</updated>
<link rel="alternate" type="text/html" href="${xml(`${base}/incidents/${i.id}`)}"/>
<content type="html">${xml(incidentHtml(i))}</content>
</entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>${xml(`${base}/history`)}</id>
<title>${xml(`${s.settings.name} status: incident history`)}</title>
<updated>${page.updated_at}</updated>
<author><name>${xml(s.settings.name)}</name></author>
<link rel="alternate" type="text/html" href="${xml(`${base}/`)}"/>
<link rel="self" type="application/atom+xml" href="${xml(`${base}/history.atom`)}"/>
${entries}
</feed>
`;
}

function rfc822(iso: string): string {
  return new Date(iso).toUTCString().replace('GMT', '+0000');
}

export function renderRss(s: PageSnapshot): string {
  const base = s.settings.url;
  const page = v2Page(s);
  const items = s.incidents
    .map(
      (i) => `<item>
<title>${xml(i.name)}</title>
<link>${xml(`${base}/incidents/${i.id}`)}</link>
<guid isPermaLink="true">${xml(`${base}/incidents/${i.id}`)}</guid>
<pubDate>${rfc822(lastUpdate(i))}</pubDate>
<description>${xml(incidentHtml(i))}</description>
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(`${s.settings.name} status: incident history`)}</title>
<link>${xml(`${base}/`)}</link>
<description>${xml(`Incidents and their updates from the ${s.settings.name} status page.`)}</description>
<language>en</language>
<lastBuildDate>${rfc822(page.updated_at)}</lastBuildDate>
<atom:link href="${xml(`${base}/history.rss`)}" rel="self" type="application/rss+xml"/>
${items}
</channel>
</rss>
`;
}

/** TEXT escaping (RFC 5545 §3.3.11). */
function icsText(text: string): string {
  return (
    text
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n?|\n/g, '\\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in TEXT
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

function icsInstant(iso: string): string {
  return `${iso.replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
}

export function renderIcs(s: PageSnapshot): string {
  const host = new URL(s.settings.url).host;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//Crier//${icsText(s.settings.name)} maintenance//EN`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(`${s.settings.name} maintenance`)}`,
  ];
  for (const m of s.maintenances) {
    const description = [m.body, ...m.components.map((c) => `Affects: ${c.name}`)]
      .map(markdownToText)
      .join('\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:maintenance-${m.id}@${host}`,
      `SEQUENCE:${m.sequence}`,
      `DTSTAMP:${icsInstant(m.updated_at)}`,
      `LAST-MODIFIED:${icsInstant(m.updated_at)}`,
      `DTSTART:${icsInstant(m.scheduled_for)}`,
      `DTEND:${icsInstant(m.scheduled_until)}`,
      `SUMMARY:${icsText(m.name)}`,
      `DESCRIPTION:${icsText(description)}`,
      `URL:${s.settings.url}/incidents/${m.id}`,
      `STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
