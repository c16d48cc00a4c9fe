/**
 * viewOf: a view copies the columns it names and computes the rest, in its
 * schema's order. The `@ts-expect-error` lines are checked by
 * `npm run typecheck`: a column whose type the view does not allow, or a
 * computed field left out, must not compile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { viewOf } from '../../src/services/view-of.ts';
import { componentView } from '../../src/services/views.ts';
import type { ComponentRow } from '../../src/store/schema.ts';

const View = z.object({
  id: z.string(),
  flag: z.boolean(),
  note: z.string().nullable(),
  secret: z.string().optional(),
});

const row = { id: 'c1', flag: 1, note: null, secret: 'whsec_x', extra: 'not shown' };

test('copies the named columns, computes the rest, in the schema order', () => {
  const view = viewOf(View, ['id', 'note'], row, { flag: row.flag === 1, secret: undefined });
  assert.deepEqual(view, { id: 'c1', flag: true, note: null });
  assert.deepEqual(Object.keys(view), ['id', 'flag', 'note']);
  assert.equal('secret' in view, false, 'an unnamed column is never copied, even one of the same name');
  assert.equal('extra' in view, false);
});

test('a computed optional field is written when it has a value', () => {
  const view = viewOf(View, ['id', 'note'], row, { flag: false, secret: row.secret });
  assert.deepEqual(Object.keys(view), ['id', 'flag', 'note', 'secret']);
  assert.equal(view.secret, 'whsec_x');
});

test('a component view keeps the fields and order the API has always written', () => {
  const component: ComponentRow = {
    id: 'api',
    name: 'API',
    description: null,
    status: 'operational',
    group_id: null,
    position: 1,
    showcase: 1,
    only_show_if_degraded: 0,
    start_date: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
  };
  const view = componentView(component);
  assert.deepEqual(Object.keys(view), [
    'id',
    'name',
    'description',
    'status',
    'group_id',
    'position',
    'showcase',
    'only_show_if_degraded',
    'start_date',
    'group',
    'created_at',
    'updated_at',
  ]);
  assert.equal(view.showcase, true);
  assert.equal(view.only_show_if_degraded, false);
  assert.equal(view.group, false);
});

test('the types hold a view to its table', () => {
  // @ts-expect-error flag is a 0/1 column; the view says boolean, so it must be computed
  viewOf(View, ['id', 'flag'], row, { note: null });
  // @ts-expect-error a computed field left out
  viewOf(View, ['id'], row, { note: null });
  // @ts-expect-error a column the view does not have
  viewOf(View, ['id', 'extra'], row, { flag: true, note: null });
  const renamed = { id: 'c1', flag: 1, remark: null };
  // @ts-expect-error the row lost a column the view copies
  viewOf(View, ['id', 'note'], renamed, { flag: true });
});
