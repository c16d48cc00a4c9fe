import type { FastifyReply } from 'fastify';
import type { Page } from '../../services/pagination.ts';

/** Lists answer a plain array, as Statuspage does, with the paging in headers. */
export function sendPage<T>(reply: FastifyReply, page: Page<T>): T[] {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  reply.header('x-total-count', String(page.total));
  reply.header('x-page', String(page.page));
  reply.header('x-per-page', String(page.per_page));
  reply.header('x-total-pages', String(pages));
  return page.items;
}
