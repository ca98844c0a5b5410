import { Injectable } from '@nestjs/common';
import { openBadgeCredential, type OpenBadgeCredential } from '@app/domain';
import { UnitOfWork, UserBadgesRepository } from '@app/persistence';
import { ApplicationError } from '../errors/application.error';
import { BadgeAchievements } from './badge-achievements';
import type { IssueBadgeCredentialQuery } from './issue-badge-credential.query';

/**
 * An earned badge as an unsigned OpenBadgeCredential: the badge as the rules it was awarded under
 * defined it, criteria included, whose id serves that same definition. The same award always gets
 * the same credential id, so copies of one award are recognisably one credential.
 */
@Injectable()
export class IssueBadgeCredentialUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly badges: UserBadgesRepository,
    private readonly achievements: BadgeAchievements,
  ) {}

  async execute({ userId, badgeCode, pseudonyms }: IssueBadgeCredentialQuery): Promise<OpenBadgeCredential> {
    const held = await this.unitOfWork.read((statements) => this.badges.heldBy(statements, userId, badgeCode));
    if (held === null) {
      throw new ApplicationError('BADGE_NOT_EARNED', `badge ${badgeCode} is not one the caller has earned`);
    }
    const achievement = await this.achievements.awarded(held);
    return openBadgeCredential(this.achievements.issuer, {
      achievement,
      awardedAt: held.awardedAt,
      credentialId: `urn:uuid:${pseudonyms.uuid('credential', userId, held.code, held.awardedAt.toISOString())}`,
      subjectId: `urn:uuid:${pseudonyms.uuid('subject', userId)}`,
    });
  }
}
