import type { TestingModule } from '@nestjs/testing';
import {
  ApplyRulesCommand,
  ApplyRulesUseCase,
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  BadgeAchievements,
  IssueBadgeCredentialQuery,
  IssueBadgeCredentialUseCase,
} from '@app/application';
import { loadRulesFile } from '@app/config';
import type { GamificationRules, Pseudonyms } from '@app/domain';
import { aSessionCompleted, parsedSession } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl } from '../support/test-env';

const shipped = loadRulesFile('config/rules.yaml');
/** The next version: HIGH_SCORER renamed and harder (a badge is never removed). */
const stricter: GamificationRules = {
  ...shipped,
  version: shipped.version + 1,
  badges: shipped.badges.map((badge) =>
    badge.code === 'HIGH_SCORER' ? { ...badge, name: 'Sharpshooter', description: 'Score 98 or more in a session', when: { metric: 'score', atLeast: 98 } } : badge,
  ),
};
/** Readable stand-ins for the api's keyed ids. */
const pseudonyms: Pseudonyms = { uuid: (...parts) => parts.join('|') };

/** A credential says what was earned, under the rules it was earned under, whatever came later. */
describe('badge credentials across rules versions', () => {
  let current = new Date('2026-11-20T12:00:00Z');
  let app: TestingModule;

  beforeAll(async () => {
    app = await startApplication(ownDatabaseUrl('gamification_test_badge_credentials'), { now: () => current });
    // Score 92: FIRST_STEPS and HIGH_SCORER under the shipped rules.
    const session = aSessionCompleted({ userId: 'alice', completedAt: '2026-11-20T11:00:00Z', durationSeconds: 1800, score: 92, timezone: 'UTC' });
    await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand([parsedSession(session, current)], 'kafka'));
    current = new Date('2026-11-21T12:00:00Z');
    await app.get(ApplyRulesUseCase).execute(new ApplyRulesCommand(stricter, 'stricter.yaml', 'test'));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const issue = (code: string) => app.get(IssueBadgeCredentialUseCase).execute(new IssueBadgeCredentialQuery('alice', code, pseudonyms));

  it('keeps a badge as the rules it was awarded under defined it, though the rules now ask more, and its id serves that definition', async () => {
    const { name, validFrom, credentialSubject } = await issue('HIGH_SCORER');
    expect({ name, validFrom, achievement: credentialSubject.achievement }).toMatchObject({
      name: 'High Scorer',
      validFrom: '2026-11-20T12:00:00Z',
      achievement: {
        id: `http://localhost:3000/ob/achievements/HIGH_SCORER/versions/${shipped.version}`,
        version: String(shipped.version),
        name: 'High Scorer',
        description: 'Score 90 or more in a session',
        criteria: { narrative: 'Score 90 or more in a session' },
      },
    });
    const achievements = app.get(BadgeAchievements);
    // What the id serves is what was signed; the badge as the rules define it now is another version.
    expect(await achievements.ofVersion('HIGH_SCORER', shipped.version)).toEqual(credentialSubject.achievement);
    expect(await achievements.current('HIGH_SCORER')).toMatchObject({
      id: `http://localhost:3000/ob/achievements/HIGH_SCORER/versions/${stricter.version}`,
      name: 'Sharpshooter',
      criteria: { narrative: 'Score 98 or more in a session' },
    });
  });

  it('names the subject and the credential by the issuer’s keyed ids of the user and the award', async () => {
    const credential = await issue('FIRST_STEPS');
    expect(credential.credentialSubject.achievement).toMatchObject({ name: 'First Steps', criteria: { narrative: 'Complete a practice session' } });
    expect(credential.credentialSubject.id).toBe('urn:uuid:subject|alice');
    expect(credential.id).toBe('urn:uuid:credential|alice|FIRST_STEPS|2026-11-20T12:00:00.000Z');
    await expect(app.get(BadgeAchievements).current('NEVER_A_BADGE')).rejects.toMatchObject({ code: 'BADGE_NOT_FOUND' });
    await expect(app.get(BadgeAchievements).ofVersion('FIRST_STEPS', stricter.version + 1)).rejects.toMatchObject({ code: 'BADGE_NOT_FOUND' });
  });

  it('refuses a badge not earned: BADGE_NOT_EARNED', async () => {
    await expect(issue('PERFECTIONIST')).rejects.toMatchObject({ code: 'BADGE_NOT_EARNED' });
  });
});
