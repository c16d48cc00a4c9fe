import { z } from 'zod';

export const Pagination = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});
export type Pagination = z.infer<typeof Pagination>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

export function offsetOf(p: Pagination): number {
  return (p.page - 1) * p.per_page;
}
