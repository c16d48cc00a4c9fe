/**
 * JSON columns are parsed with their schema where they leave the store: what
 * fits comes back typed, what does not fails naming the column.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affectedComponentsOf, componentIdsOf, lintOf, pendingOf, renderedOf } from '../../src/store/json.ts';
import { jobPayloadOf } from '../../src/store/outbox.ts';

test('a JSON column that fits its schema comes back as stored; null columns read as empty', () => {
  const change = { code: 'api', name: 'API', old_status: 'operational', new_status: 'major_outage' };
  assert.deepEqual(affectedComponentsOf({ affected_components: JSON.stringify([change]) }), [change]);
  assert.deepEqual(componentIdsOf({ component_ids: '["a","b"]' }), ['a', 'b']);
  assert.deepEqual(pendingOf({ pending: null }), { components: {}, component_ids: [] });
  assert.deepEqual(renderedOf({ rendered: null }), {});
  assert.deepEqual(lintOf({ lint: null }), []);
  assert.deepEqual(jobPayloadOf('approval.timeout', '{"incident_id":"i","update_id":"u","round":2}'), {
    incident_id: 'i',
    update_id: 'u',
    round: 2,
  });
});

test('a JSON column that does not fit fails naming the column, whatever is wrong with it', () => {
  assert.throws(
    () => affectedComponentsOf({ affected_components: '[{"code":"api","new_status":"on fire"}]' }),
    /incident_updates\.affected_components does not hold what its schema says/,
  );
  assert.throws(
    () => componentIdsOf({ component_ids: '["a",' }),
    /subscribers\.component_ids holds text that is not JSON/,
  );
  assert.throws(() => lintOf({ lint: '[{"code":"no_such_rule","message":"x"}]' }), /incident_updates\.lint/);
  assert.throws(
    () => jobPayloadOf('cadence.reminder', '{"incident_id":"i","audience":"everyone"}'),
    /outbox_jobs\.payload \(cadence\.reminder\)/,
  );
  assert.equal(jobPayloadOf('no.such.kind', '{}'), null, 'a kind this version does not know');
});
