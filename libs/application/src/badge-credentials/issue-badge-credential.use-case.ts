import { Injectable } from '@nestjs/common';
import { openBadgeCredential, type OpenBadgeCredential } from '@app/domain';
import { UnitOfWork, UserBadgesRepository } from '@app/persistence';
import { ApplicationError } from '../errors/application.error';
import { BadgeAchievements } from './badge-achievements';
import type { IssueBadgeCredentialQuery } from './issue-badge-credential.query';

/**
 * An earned badge as an unsigned OpenBadgeCredential. Its name and description are the badge's as
 * awarded; its criteria, those of the rules in force when it was awarded. The same award always gets
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
    // Two processes' clocks may date an award just before the version that brought its badge in: the rules in force have it.
    const described = (await this.achievements.findAt(held.code, held.awardedAt)) ?? (await this.achievements.find(held.code));
    if (described === null) {
      throw new Error(`badge ${held.code} is held but in no rules version`);
    }
    const achievement = { ...described, name: held.name, description: held.description };
    return openBadgeCredential(this.achievements.issuer, {
      achievement,
      awardedAt: held.awardedAt,
      credentialId: `urn:uuid:${pseudonyms.uuid('credential', userId, held.code, held.awardedAt.toISOString())}`,
      subjectId: `urn:uuid:${pseudonyms.uuid('subject', userId)}`,
    });
  }
}
