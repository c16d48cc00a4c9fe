/**
 * Markdown for update bodies, through markdown-it: paragraphs, line
 * breaks, bullet and numbered lists, **bold**, *emphasis*, `code`, links
 * and <autolinks>. Raw HTML is off (it shows as text), and a
 * link is a link only when it is absolute http(s) or mailto: a relative
 * or protocol-relative target (`/\evil.example` is `//evil.example` to a
 * browser), `javascript:` and `data:` leave the text as written. Headings,
 * images, tables and block quotes are off: an update is a few paragraphs
 * inside a page that has its own headings. Bare URLs are not linked:
 * linkify is the costliest rule on long hostile bodies. One renderer for
 * the status page, the feeds and the HTML of emails.
 */
import MarkdownIt from 'markdown-it';

const safeHref = /^(https?:\/\/[^/\\]|mailto:)/i;

const md = new MarkdownIt('zero', { html: false, breaks: true, maxNesting: 20 });
md.enable(['list', 'newline', 'escape', 'entity', 'backticks', 'emphasis', 'link', 'autolink']);
md.validateLink = (url) => safeHref.test(url);
// markdown-it does not ask validateLink about an empty target (`[x]()`), which
// would link to the page itself: such a link is left out, its text kept.
const linkable = (href: unknown): boolean => typeof href === 'string' && safeHref.test(href);
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx];
  if (!linkable(token?.attrGet('href'))) return '';
  token?.attrSet('rel', 'nofollow noopener');
  return self.renderToken(tokens, idx, options);
};
md.renderer.rules.link_close = (tokens, idx, options, _env, self) => {
  // Links do not nest, so the nearest opening before this one is its own.
  const open = tokens.slice(0, idx).findLast((t) => t.type === 'link_open');
  return linkable(open?.attrGet('href')) ? self.renderToken(tokens, idx, options) : '';
};

/**
 * markdown-it is not linear on every input (100 kB of nested marks takes
 * a second), and the page renders every body again on each change, so
 * each body is rendered once and remembered; the oldest are forgotten.
 */
const rendered = new Map<string, string>();
const REMEMBERED = 2_000;

/** Renders Markdown to safe HTML. */
export function renderMarkdown(source: string): string {
  const known = rendered.get(source);
  if (known !== undefined) return known;
  const html = md.render(source).trimEnd();
  const oldest = rendered.keys().next();
  if (rendered.size >= REMEMBERED && !oldest.done) rendered.delete(oldest.value);
  rendered.set(source, html);
  return html;
}

/** The text without Markdown marks, for plain-text places (calendar descriptions, badges). */
export function markdownToText(source: string): string {
  return source
    .replace(/\[([^\]\n]*)\]\(([^)\s]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*\n]*)\*\*/g, '$1')
    .replace(/`([^`\n]*)`/g, '$1');
}
