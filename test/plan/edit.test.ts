import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editPlanSource, planPatch } from '../../src/plan/edit.ts';

const source = `# Our plan
severities:
  SEV1:
    external_cadence: 30m   # keep it short
    approval: comms_lead
channels:
  email: { type: email-smtp, from: a@b.example }
  sms: {type: sms-twilio}
scenarios:
  db:
    templates:
      investigating: We are looking into it.
`;

test('a value is replaced in place, a key added in the map’s own style, a comment put above a key', () => {
  const edited = editPlanSource(source, [
    { kind: 'set', path: ['severities', 'SEV1', 'external_cadence'], value: '45m' },
    { kind: 'set', path: ['severities', 'SEV1', 'internal_cadence'], value: '15m' },
    { kind: 'set', path: ['channels', 'email', 'fallback'], value: 'email-ses' },
    { kind: 'set', path: ['channels', 'sms', 'max_attempts'], value: 8 },
    { kind: 'comment', path: ['scenarios', 'db', 'templates', 'investigating'], text: 'Rewrite:\nunhelpful' },
  ]);
  assert.equal(
    edited,
    `# Our plan
severities:
  SEV1:
    external_cadence: 45m   # keep it short
    approval: comms_lead
    internal_cadence: 15m
channels:
  email: { type: email-smtp, from: a@b.example, fallback: email-ses }
  sms: {type: sms-twilio, max_attempts: 8}
scenarios:
  db:
    templates:
      # Rewrite: unhelpful
      investigating: We are looking into it.
`,
  );
  assert.equal(planPatch(source, source), '');
  assert.match(planPatch(source, edited), /^\+ {2}sms: \{type: sms-twilio, max_attempts: 8\}$/m);
  assert.equal(
    editPlanSource(source, [{ kind: 'set', path: ['severities', 'SEV1', 'approval'], value: 'a: b' }]).split(
      '\n',
    )[4],
    '    approval: "a: b"',
  );
});
