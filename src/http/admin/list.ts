import type { FastifyReply } from 'fastify';
import type { Page } from '../../services/pagination.ts';

/**
 * RFC 8288 links to the first, previous, next and last pages: the request's own path and
 * query with `page` replaced, so every filter carries over. The targets are relative
 * references, resolved against the request URL as RFC 8288 section 3.2 says, which keeps
 * them right behind any proxy.
 */
export function pageLinks(url: string, page: number, pages: number): string {
  const [path = '', query = ''] = url.split('?', 2);
  const link = (n: number, rel: string) => {
    const params = new URLSearchParams(query);
    params.set('page', String(n));
    return `<${path}?${params.toString()}>; rel="${rel}"`;
  };
  return [
    link(1, 'first'),
    ...(page > 1 ? [link(Math.min(page - 1, pages), 'prev')] : []),
    ...(page < pages ? [link(page + 1, 'next')] : []),
    link(pages, 'last'),
  ].join(', ');
}

/** Lists answer a plain array, as Statuspage does, with the paging in headers. */
export function sendPage<T>(reply: FastifyReply, page: Page<T>): T[] {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  reply.header('x-total-count', String(page.total));
  reply.header('x-page', String(page.page));
  reply.header('x-per-page', String(page.per_page));
  reply.header('x-total-pages', String(pages));
  reply.header('link', pageLinks(reply.request.url, page.page, pages));
  return page.items;
}
