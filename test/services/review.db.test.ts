/**
 * The communication review of the seeded SEV1 history (test/helpers/history-plan.ts),
 * on both databases: every figure below is worked out by hand from it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reviewMarkdown } from '../../src/services/review/markdown.ts';
import { incidentReview } from '../../src/services/review/review.ts';
import { eachDialect, TestClock } from '../helpers/db.ts';
import { at, seedUnsubscribe } from '../helpers/history.ts';
import { base, fallbackPlan, seedSev1 } from '../helpers/history-plan.ts';
import { applyTestPlan, people } from '../helpers/plan.ts';

eachDialect(test, 'the review holds the figures of the seeded history', async (db) => {
  const clock = new TestClock('2026-03-02T12:00:00.000Z');
  const { admin, rita } = people(db, clock);
  const { version } = await applyTestPlan(admin, fallbackPlan);
  const id = await seedSev1(db, version);
  // Two unsubscribes while it ran (declared 10:04, resolved 11:10), one before and one after.
  await seedUnsubscribe(db, at(base, 3));
  await seedUnsubscribe(db, at(base, 20), 'link');
  await seedUnsubscribe(db, at(base, 55), 'sms-stop');
  await seedUnsubscribe(db, at(base, 71), 'link');

  // Retention removed two sent SMS of the first notice, leaving their count behind.
  const firstNotice = await db
    .selectFrom('incident_updates')
    .select('id')
    .where('incident_id', '=', id)
    .where('audience', '=', 'public')
    .orderBy('published_at')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('delivery_counts')
    .values({
      subject_id: firstNotice.id,
      subject_type: 'incident_update',
      channel: 'sms',
      state: 'sent',
      n: 2,
    })
    .execute();

  // Customers' votes on the first notice: two helpful, one not, with a hostile comment.
  for (const [n, helpful, comment] of [
    [1, 1, null],
    [2, 1, null],
    [3, 0, '<img src=x onerror=alert(1)> # Too **vague**'],
  ] as const) {
    await db
      .insertInto('feedback_votes')
      .values({
        id: `vote-${n}`,
        update_id: firstNotice.id,
        incident_id: id,
        subscriber_id: `sub-${n}`,
        address_hash: null,
        helpful,
        comment,
        created_at: at(base, 30),
        changed_at: at(base, 30),
      })
      .execute();
  }

  const review = await incidentReview(rita, id);
  assert.equal(review.incident.status, 'resolved');
  assert.equal(review.feedback.helpful, 2);
  assert.equal(review.feedback.not_helpful, 1);
  assert.deepEqual(
    review.feedback.updates.map((u) => [u.update_id, u.helpful, u.not_helpful, u.comments.length]),
    [[firstNotice.id, 2, 1, 1]],
  );
  assert.deepEqual(
    review.messages.map((m) => [
      m.published_at?.slice(11, 16),
      m.audience,
      m.written_by,
      m.approved_by.map((a) => `${a.actor}@${a.at.slice(11, 16)}`),
      m.published_unapproved,
      m.lint_override,
    ]),
    [
      ['10:06', 'internal', 'token:carol@acme.example', [], false, false],
      ['10:11', 'public', 'token:carol@acme.example', ['token:carol@acme.example@10:11'], false, false],
      ['10:30', 'enterprise', 'token:rita@acme.example', [], true, false],
      [
        '10:50',
        'public',
        'token:carol@acme.example',
        ['token:carol@acme.example@10:49', 'token:ivy@acme.example@10:50'],
        false,
        true,
      ],
      ['11:10', 'public', 'token:carol@acme.example', [], false, false],
    ],
  );
  assert.deepEqual(review.deliveries, [
    { channel: 'email', total: 4, sent: 3, fallback: 1, dead: 1, waiting: 0 },
    { channel: 'sms', total: 3, sent: 3, fallback: 0, dead: 0, waiting: 0 },
  ]);
  assert.deepEqual(review.unsubscribes, { total: 2, by_how: { link: 1, 'sms-stop': 1 } });
  assert.equal(review.scores.longest_silence_ms, 20 * 60_000);

  const [deliveries, cadence] = review.charts;
  // From detection at 10:00 to the last send at 10:11:40: minute buckets, the four sends in the last.
  assert.equal(deliveries?.title, 'Deliveries sent over time');
  assert.deepEqual(deliveries?.table.columns, ['from', 'sent']);
  assert.deepEqual(
    deliveries?.table.rows,
    Array.from({ length: 12 }, (_, m) => [at(base, m), m === 11 ? 4 : 0]),
  );
  assert.deepEqual(cadence?.table.rows, [
    ['enterprise', at(base, 15), at(base, 30), 'no'],
    ['public', at(base, 15), at(base, 11), 'yes'],
    ['public', at(base, 41), at(base, 50), 'no'],
    ['public', at(base, 80), at(base, 70), 'yes'],
  ]);
  for (const chart of review.charts) {
    assert.match(chart.svg, /^<svg [^>]*role="img"/);
    assert.match(chart.svg, new RegExp(`<title id="${chart.id}-title">${chart.title}</title>`));
  }
  assert.equal((cadence?.svg.match(/<circle /g) ?? []).length, 4, 'a dot per publication');
  assert.equal((deliveries?.svg.match(/<rect /g) ?? []).length, 12, 'a bar per bucket');

  // The hostile body is data in JSON, and text in Markdown: no tag, link or heading survives.
  const hostile = review.messages.find((m) => m.audience === 'enterprise');
  assert.ok(hostile?.body.startsWith('<script>'));
  const md = reviewMarkdown(review);
  assert.ok(!md.includes('<script>'), 'no raw tag');
  assert.ok(
    md.includes(
      '> &lt;script&gt;alert("x")&lt;/script&gt; \\*\\*Bold\\*\\* \\| \\[link\\](javascript:alert(1))',
    ),
  );
  assert.ok(md.includes('> \\# Not a heading'));
  assert.ok(md.includes('| public | 2026-03-02T10:41:00.000Z | 2026-03-02T10:50:00.000Z | no |'));
  assert.ok(md.includes('| email | 4 | 3 | 1 | 1 | 0 |'));
  assert.ok(md.includes('2 in all: 1 by link, 1 by sms-stop.'));
  assert.ok(md.includes('2 of 3 customer votes said the updates helped.'));
  assert.ok(md.includes('| 2026-03-02T10:11:00.000Z | 2 | 1 |'), md);
  assert.ok(
    md.includes('> &lt;img src=x onerror=alert(1)&gt; # Too \\*\\*vague\\*\\*'),
    'the comment is text',
  );
  assert.ok(!md.includes('<img'));
});

eachDialect(
  test,
  'an open incident’s review shows the deadline still waiting, late once passed',
  async (db) => {
    const clock = new TestClock(at(base, 50));
    const { admin, rita } = people(db, clock);
    const { version } = await applyTestPlan(admin, fallbackPlan);
    const { seedIncident } = await import('../helpers/history.ts');
    const id = await seedIncident(db, {
      severity: 'SEV1',
      declared_at: base,
      plan_version: version,
      updates: [{ audience: 'public', published_at: at(base, 10), next_update_at: at(base, 40) }],
      cadence: [{ audience: 'public', due: 1, on_time: 1 }],
    });
    const review = await incidentReview(rita, id);
    assert.deepEqual(review.charts[1]?.table.rows, [
      ['public', at(base, 15), at(base, 10), 'yes'],
      ['public', at(base, 40), null, 'no'],
    ]);
    assert.deepEqual(review.deliveries, []);
    assert.deepEqual(review.charts[0]?.table.rows, []);
    assert.match(review.charts[0]?.svg ?? '', /No delivery was sent/);
    assert.equal(review.scores.longest_silence_ms, 40 * 60_000, 'from 10:10 until now, 10:50');
  },
);
