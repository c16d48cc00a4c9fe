import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finished } from '../../src/cli/commands/delivery-commands.ts';
import type { UpdateDeliveryCounts } from '../../src/services/subscribers/queries.ts';

const counts = (
  fanout: string,
  byState: Record<string, number>,
  events: { fanout: string; by_state: Record<string, number> },
): UpdateDeliveryCounts => ({
  update_id: 'u1',
  fanout,
  total: Object.values(byState).reduce((a, b) => a + b, 0),
  by_state: byState,
  by_channel: {},
  component_events: { ...events, total: Object.values(events.by_state).reduce((a, b) => a + b, 0) },
});

test('the live bar of crier deliveries waits for the component events too', () => {
  const done = { fanout: 'done', by_state: { sent: 2 } };
  assert.equal(finished(counts('done', { sent: 3 }, done)), true);
  assert.equal(finished(counts('done', { sent: 3 }, { fanout: 'running', by_state: { sent: 1 } })), false);
  assert.equal(finished(counts('done', { sent: 3 }, { fanout: 'done', by_state: { sending: 1 } })), false);
  assert.equal(finished(counts('running', { sent: 3 }, done)), false);
  assert.equal(finished(counts('none', {}, { fanout: 'none', by_state: {} })), true);
});

test('the live bar stops at a dead fan-out, which goes no further until replayed', () => {
  assert.equal(finished(counts('dead', { sent: 1 }, { fanout: 'none', by_state: {} })), true);
  assert.equal(finished(counts('done', { sent: 1 }, { fanout: 'dead', by_state: {} })), true);
  // Deliveries still waiting keep it going, dead fan-out or not.
  assert.equal(finished(counts('dead', { failed: 1 }, { fanout: 'none', by_state: {} })), false);
});
