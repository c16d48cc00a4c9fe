/**
 * A small Markdown subset for update bodies: paragraphs, line breaks,
 * bullet and numbered lists, **bold**, *emphasis*, `code` and links.
 * Safe by construction: the text is HTML-escaped first and the patterns
 * work on escaped text, so no tag or attribute from the input survives;
 * links keep only http(s), mailto and same-site paths. Every pattern is
 * linear, so a 100 kB body costs microseconds, not seconds.
 */
import { escapeHtml } from '../domain/html.ts';

const safeHref = /^(https?:\/\/|mailto:|\/(?!\/))/i;

function inline(escaped: string): string {
  return escaped
    .replace(/`([^`\n]{1,500})`/g, '<code>$1</code>')
    .replace(/\[([^\]\n]{1,500})\]\(([^)\s]{1,2000})\)/g, (_m, text: string, href: string) =>
      // &amp; and friends in the href are already escaped, which is what an attribute needs.
      safeHref.test(href) ? `<a href="${href}" rel="nofollow noopener">${text}</a>` : text,
    )
    .replace(/\*\*([^*\n]{1,2000})\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])\*([^*\n]{1,2000})\*/g, '$1<em>$2</em>')
    .replace(/(^|[\s(])_([^_\n]{1,2000})_/g, '$1<em>$2</em>');
}

/** Renders Markdown to safe HTML. */
export function renderMarkdown(source: string): string {
  const blocks = source.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const out: string[] = [];
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    if (lines.every((l) => /^\s*[-*]\s+/.test(l))) {
      out.push(
        `<ul>${lines.map((l) => `<li>${inline(escapeHtml(l.replace(/^\s*[-*]\s+/, '')))}</li>`).join('')}</ul>`,
      );
    } else if (lines.every((l) => /^\s*\d{1,3}[.)]\s+/.test(l))) {
      out.push(
        `<ol>${lines.map((l) => `<li>${inline(escapeHtml(l.replace(/^\s*\d{1,3}[.)]\s+/, '')))}</li>`).join('')}</ol>`,
      );
    } else {
      out.push(`<p>${lines.map((l) => inline(escapeHtml(l))).join('<br>')}</p>`);
    }
  }
  return out.join('');
}

/** The text without Markdown marks, for plain-text places (calendar descriptions, badges). */
export function markdownToText(source: string): string {
  return source
    .replace(/\[([^\]\n]*)\]\(([^)\s]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*\n]*)\*\*/g, '$1')
    .replace(/`([^`\n]*)`/g, '$1');
}
