/**
 * Feedback on both databases: a subscriber votes once per update through a
 * signed link and may change the vote; anonymous page votes are one per
 * address per update and a limited number per address; bad or hostile
 * comments are refused and nothing is stored; drills and the team's own
 * updates take no votes; the team's ratings and ticket counts add up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageVotesPerAddress } from '../../src/domain/feedback.ts';
import { toCrierError } from '../../src/http/errors.ts';
import { feedbackCode, feedbackKey } from '../../src/services/feedback/links.ts';
import { feedbackSummary } from '../../src/services/feedback/summary.ts';
import { giveTeamFeedback } from '../../src/services/feedback/team.ts';
import { castVote, votePrompt } from '../../src/services/feedback/vote.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import type { Db } from '../../src/store/db.ts';
import { confirmedSubscriber, eachDialect, TestClock, testCtx } from '../helpers/db.ts';

async function published(db: Db, clock: TestClock, options: { drill?: boolean } = {}) {
  const ctx = testCtx(db, { clock });
  const incident = await declareIncident(ctx, {
    name: 'API errors',
    body: 'Requests to the API fail for some customers. Next update within the hour.',
    ...(options.drill && { drill: true }),
  });
  const update = incident.incident_updates[0];
  assert.ok(update, 'the declaration published an update');
  return { ctx, incidentId: incident.id, updateId: update.id };
}

async function votes(db: Db) {
  return db.selectFrom('feedback_votes').selectAll().orderBy('created_at').execute();
}

/** The error's public code, as every transport maps it (a schema's refusal is `validation_failed`). */
const rejects = (code: string) => (err: unknown) => {
  assert.equal(toCrierError(err).code, code, String(err));
  return true;
};

eachDialect(
  test,
  'a subscriber votes once per update through a signed link, and may change the vote',
  async (db) => {
    const clock = new TestClock();
    const { ctx, incidentId, updateId } = await published(db, clock);
    const subscriber = confirmedSubscriber('email', 'reader@example.com');
    await db.insertInto('subscribers').values(subscriber).execute();
    const key = await feedbackKey(db);
    const code = feedbackCode(key, updateId, subscriber.id);
    const voter = { address: '203.0.113.7' };

    const prompt = await votePrompt(ctx, code, voter);
    assert.equal(prompt?.incidentId, incidentId);
    assert.equal(prompt?.helpful, null);

    assert.deepEqual(await castVote(ctx, code, { helpful: 'yes' }, voter), { helpful: true, changed: false });
    clock.advance(60_000);
    // From another address, the same link is the same voter: the vote changes, no second one appears.
    assert.deepEqual(
      await castVote(ctx, code, { helpful: 'no', comment: '  Too vague.  ' }, { address: '198.51.100.1' }),
      { helpful: false, changed: true },
    );
    const rows = await votes(db);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.helpful, 0);
    assert.equal(rows[0]?.comment, 'Too vague.');
    assert.equal(rows[0]?.subscriber_id, subscriber.id);
    assert.equal(rows[0]?.address_hash, null);
    assert.notEqual(rows[0]?.created_at, rows[0]?.changed_at);
    assert.equal((await votePrompt(ctx, code, voter))?.helpful, false);

    // A code signed for another subscriber, or altered by one character, is no link at all.
    const other = confirmedSubscriber('email', 'other@example.com');
    await db.insertInto('subscribers').values(other).execute();
    const forged = `${updateId}-${other.id}-${code.slice(-16)}`;
    await assert.rejects(castVote(ctx, forged, { helpful: 'yes' }, voter), rejects('not_found'));
    const altered = `${code.slice(0, -1)}${code.endsWith('0') ? '1' : '0'}`;
    await assert.rejects(castVote(ctx, altered, { helpful: 'yes' }, voter), rejects('not_found'));
    assert.equal(await votePrompt(ctx, forged, voter), null);
    assert.equal((await votes(db)).length, 1);

    const summary = await feedbackSummary(ctx, incidentId);
    assert.equal(summary.helpful, 0);
    assert.equal(summary.not_helpful, 1);
    assert.deepEqual(
      summary.updates[0]?.comments.map((c) => [c.helpful, c.comment, c.from]),
      [[false, 'Too vague.', 'subscriber']],
    );
  },
);

eachDialect(
  test,
  'page votes: one per address per update, and no more than the address’s share',
  async (db) => {
    const clock = new TestClock();
    const { ctx, updateId } = await published(db, clock);
    const stuffer = { address: '2001:db8:1:2::10' };
    assert.equal((await castVote(ctx, updateId, { helpful: 'yes' }, stuffer)).changed, false);
    // Again, and from another address of the same /64: the one vote changes.
    assert.equal((await castVote(ctx, updateId, { helpful: 'no' }, stuffer)).changed, true);
    assert.equal(
      (await castVote(ctx, updateId, { helpful: 'yes' }, { address: '2001:db8:1:2::99' })).changed,
      true,
    );
    assert.equal((await votes(db)).length, 1);

    // New votes on other updates count against the address, up to its share within the window.
    const updates: string[] = [];
    for (let i = 0; i < pageVotesPerAddress; i += 1) updates.push((await published(db, clock)).updateId);
    for (const id of updates.slice(0, pageVotesPerAddress - 1))
      await castVote(ctx, id, { helpful: 'yes' }, stuffer);
    const last = updates.at(-1) ?? '';
    await assert.rejects(castVote(ctx, last, { helpful: 'yes' }, stuffer), rejects('rate_limited'));
    assert.equal((await votes(db)).length, pageVotesPerAddress);
    // Changing a vote already cast is still allowed; another address is not held back.
    assert.equal((await castVote(ctx, updateId, { helpful: 'no' }, stuffer)).changed, true);
    assert.equal((await castVote(ctx, last, { helpful: 'yes' }, { address: '192.0.2.5' })).changed, false);
    // Once the window has passed, the address may vote again.
    clock.advance(60 * 60_000 + 1);
    assert.equal((await castVote(ctx, last, { helpful: 'no' }, stuffer)).changed, false);
  },
);

eachDialect(
  test,
  'oversized and hostile comments, and answers that are not yes or no, are refused and nothing is stored',
  async (db) => {
    const clock = new TestClock();
    const { ctx, updateId } = await published(db, clock);
    const voter = { address: '203.0.113.9' };
    for (const bad of [
      { helpful: 'yes', comment: 'x'.repeat(1001) },
      { helpful: 'yes', comment: 'nul \u0000 inside' },
      { helpful: 'yes', comment: 'reads \u202eelbisivni' },
      { helpful: 'yes', comment: 'broken \ud800 half' },
      { helpful: 'maybe' },
      {},
      { helpful: 'yes', comment: 42 },
    ]) {
      await assert.rejects(
        castVote(ctx, updateId, bad, voter),
        rejects('validation_failed'),
        JSON.stringify(bad),
      );
    }
    assert.equal((await votes(db)).length, 0);
    // Markup is not refused: it is kept as written, and every page that shows it escapes it.
    await castVote(ctx, updateId, { helpful: 'no', comment: '<script>alert(1)</script>' }, voter);
    assert.equal((await votes(db))[0]?.comment, '<script>alert(1)</script>');
  },
);

eachDialect(test, 'a drill’s updates take no votes, by link or from the page', async (db) => {
  const clock = new TestClock();
  const drill = await published(db, clock, { drill: true });
  const subscriber = confirmedSubscriber('email', 'reader@example.com');
  await db.insertInto('subscribers').values(subscriber).execute();
  const key = await feedbackKey(db);
  const voter = { address: '203.0.113.7' };
  await assert.rejects(castVote(drill.ctx, drill.updateId, { helpful: 'yes' }, voter), rejects('not_found'));
  const code = feedbackCode(key, drill.updateId, subscriber.id);
  await assert.rejects(castVote(drill.ctx, code, { helpful: 'yes' }, voter), rejects('not_found'));
  assert.equal(await votePrompt(drill.ctx, code, voter), null);
  assert.equal((await votes(db)).length, 0);
});

eachDialect(
  test,
  'the team rates the communication and counts tickets: each reporter’s latest count stands',
  async (db) => {
    const clock = new TestClock();
    const { incidentId } = await published(db, clock);
    const lead = testCtx(db, { clock, actor: 'token:ivy', role: 'incident_lead' });
    const support = testCtx(db, { clock, actor: 'token:sam', role: 'support_lead' });
    const helpdesk = testCtx(db, { clock, actor: 'token:helpdesk', role: 'support_lead' });
    await giveTeamFeedback(lead, incidentId, { rating: 4, comment: 'Clear, a little late.' });
    await giveTeamFeedback(support, incidentId, { rating: 2, support_tickets: 5 });
    await giveTeamFeedback(helpdesk, incidentId, { support_tickets: 30 });
    clock.advance(60_000);
    const summary = await giveTeamFeedback(helpdesk, incidentId, { support_tickets: 42 });
    assert.equal(summary.team.ratings, 2);
    assert.equal(summary.team.average_rating, 3);
    assert.equal(summary.team.support_tickets, 47);
    assert.equal(summary.team.entries.length, 4);

    const viewer = testCtx(db, { clock, role: 'viewer' });
    await assert.rejects(giveTeamFeedback(viewer, incidentId, { rating: 5 }), rejects('forbidden'));
    await assert.rejects(giveTeamFeedback(lead, incidentId, { rating: 6 }), rejects('validation_failed'));
    await assert.rejects(
      giveTeamFeedback(lead, incidentId, { comment: 'no rating' }),
      rejects('validation_failed'),
    );
    await assert.rejects(
      giveTeamFeedback(lead, incidentId, { rating: 3, comment: 'x'.repeat(4001) }),
      rejects('validation_failed'),
    );
    await assert.rejects(
      giveTeamFeedback(lead, 'nosuchincide', { rating: 3 }),
      rejects('incident_not_found'),
    );
    assert.equal((await db.selectFrom('team_feedback').selectAll().execute()).length, 4);
  },
);
