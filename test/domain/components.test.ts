import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  componentStatuses,
  groupStatus,
  impactOfComponents,
  impacts,
  pageIndicator,
  worseStatus,
} from '../../src/domain/components.ts';

const status = fc.constantFrom(...componentStatuses);
const impact = fc.constantFrom(...impacts);
const rank = (s: string) => componentStatuses.indexOf(s as (typeof componentStatuses)[number]);

test('a group is as bad as its worst member, whatever their order', () => {
  fc.assert(
    fc.property(fc.array(status, { maxLength: 20 }), (members) => {
      const rolled = groupStatus(members);
      for (const m of members) assert.ok(rank(rolled) >= rank(m));
      if (members.length > 0) assert.ok(members.includes(rolled));
      else assert.equal(rolled, 'operational');
      assert.equal(groupStatus([...members].reverse()), rolled);
    }),
  );
});

test('worseStatus is commutative, associative and idempotent', () => {
  fc.assert(
    fc.property(status, status, status, (a, b, c) => {
      assert.equal(worseStatus(a, b), worseStatus(b, a));
      assert.equal(worseStatus(worseStatus(a, b), c), worseStatus(a, worseStatus(b, c)));
      assert.equal(worseStatus(a, a), a);
    }),
  );
});

test('the page indicator follows Statuspage: components and incidents, maintenance only when nothing is worse', () => {
  assert.equal(
    pageIndicator({
      componentStatuses: ['operational'],
      unresolvedIncidentImpacts: [],
      maintenanceInProgress: false,
    }),
    'none',
  );
  assert.equal(
    pageIndicator({
      componentStatuses: ['degraded_performance'],
      unresolvedIncidentImpacts: [],
      maintenanceInProgress: false,
    }),
    'minor',
  );
  assert.equal(
    pageIndicator({
      componentStatuses: ['partial_outage'],
      unresolvedIncidentImpacts: [],
      maintenanceInProgress: false,
    }),
    'major',
  );
  assert.equal(
    pageIndicator({
      componentStatuses: ['major_outage'],
      unresolvedIncidentImpacts: [],
      maintenanceInProgress: true,
    }),
    'critical',
  );
  assert.equal(
    pageIndicator({
      componentStatuses: ['operational'],
      unresolvedIncidentImpacts: ['minor'],
      maintenanceInProgress: true,
    }),
    'minor',
  );
  assert.equal(
    pageIndicator({
      componentStatuses: ['under_maintenance'],
      unresolvedIncidentImpacts: [],
      maintenanceInProgress: false,
    }),
    'maintenance',
  );
  assert.equal(
    pageIndicator({
      componentStatuses: [],
      unresolvedIncidentImpacts: ['none'],
      maintenanceInProgress: true,
    }),
    'maintenance',
  );
});

test('the indicator is never better than any unresolved incident or any component implies', () => {
  const order = ['none', 'minor', 'major', 'critical'];
  fc.assert(
    fc.property(
      fc.array(status, { maxLength: 10 }),
      fc.array(impact, { maxLength: 5 }),
      fc.boolean(),
      (cs, is, m) => {
        const indicator = pageIndicator({
          componentStatuses: cs,
          unresolvedIncidentImpacts: is,
          maintenanceInProgress: m,
        });
        const level = indicator === 'maintenance' ? 0 : order.indexOf(indicator);
        for (const i of is) assert.ok(level >= order.indexOf(i));
        assert.ok(level >= order.indexOf(impactOfComponents(cs)));
        if (indicator === 'maintenance') assert.ok(m || cs.includes('under_maintenance'));
      },
    ),
  );
});
