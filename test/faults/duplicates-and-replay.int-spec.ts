import { EngineHarness } from '../support/engine-harness';
import { sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';


describe('scenario 6: every event produced twice, then the whole topic replayed into a fresh group', () => {
  let engine: EngineHarness;
  let replay: EngineHarness | null = null;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await replay?.stop();
    await engine?.stop();
  });

  it('changes no total, badge or award', async () => {
    const events = sessionStream(`twice-${engine.groupId.slice(-8)}`, 25, 600);
    const users = [...new Set(events.map((event) => event.userId))];
    // The second copy is a producer's retry with a rebuilt payload: same eventId, another score,
    // duration and day. Applying it instead of the first would change the totals, the streaks and
    // the score badges, so the oracle (which counts the first copy) tells the two apart.
    const retried = (event: (typeof events)[number]) => ({
      ...event,
      score: event.score === 100 ? 56 : 100,
      durationSeconds: event.durationSeconds >= 1800 ? 30 : 3600,
      completedAt: new Date(Date.parse(event.completedAt) - 2 * 86_400_000).toISOString(),
    });
    const produced = events.flatMap((event) => [event, retried(event)]);
    for (let index = 0; index < produced.length; index += 2) {
      await engine.send(produced[index].userId, produced[index], produced[index + 1]);
    }
    await assertInvariants({
      ...engine.invariantInputs(),
      produced,
    });
    // The replaying worker sweeps streaks when it starts, as every worker does: past the reminder time
    // it may announce streak.at_risk and move the notice cursors. That is the clock's doing, not the
    // replay's, so the awards counted are badge.awarded and level.up, and the cursors are left out.
    const snapshot = async () =>
      (
        await engine.dataSource.query(
          `SELECT p.*, (SELECT count(*)::int FROM outbox_messages o WHERE o.message_key = p.user_id AND o.topic = ANY($2)) AS awards,
                  (SELECT count(*)::int FROM processed_events e WHERE e.user_id = p.user_id) AS processed
           FROM user_profiles p WHERE user_id = ANY($1) ORDER BY user_id`,
          [users, [engine.topics.badgeAwarded, engine.topics.levelUp]],
        )
      ).map(({ streak_due_at: _dueAt, streak_warned_on: _warnedOn, ...profile }: Record<string, unknown>) => profile);
    const before = await snapshot();

    replay = await EngineHarness.start({
      TOPIC_SESSION_COMPLETED: engine.topics.sessionCompleted,
      TOPIC_SESSION_COMPLETED_DLQ: engine.topics.sessionCompletedDlq,
      TOPIC_BADGE_AWARDED: engine.topics.badgeAwarded,
      TOPIC_LEVEL_UP: engine.topics.levelUp,
    });
    await assertInvariants({
      ...replay.invariantInputs(),
      produced,
    });
    expect(await snapshot()).toEqual(before);
  });
});
