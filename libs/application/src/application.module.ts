import { Module } from '@nestjs/common';
import { PersistenceModule } from '@app/persistence';
import { ApplyRulesUseCase } from './apply-rules/apply-rules.use-case';
import { ApplySessionCompletedUseCase } from './apply-session-completed/apply-session-completed.use-case';
import { SessionRunWriter } from './apply-session-completed/session-run.writer';
import { AwardsRecorder } from './award-events/awards.recorder';
import { ClaimChallengeUseCase } from './claim-challenge/claim-challenge.use-case';
import { Clock, SystemClock } from './clock/clock';
import { DiffRulesUseCase } from './diff-rules/diff-rules.use-case';
import { GetProfileUseCase } from './get-profile/get-profile.use-case';
import { ListBadgesUseCase } from './list-badges/list-badges.use-case';
import { BadgeAchievements } from './badge-credentials/badge-achievements';
import { IssueBadgeCredentialUseCase } from './badge-credentials/issue-badge-credential.use-case';
import { ProgressRecomputer } from './recompute-progress/progress.recomputer';
import { RulesHistoryUseCase } from './rules-history/rules-history.use-case';
import { RulesInForce } from './rules-in-force/rules-in-force';
import { SweepStreakNoticesUseCase } from './sweep-streak-notices/sweep-streak-notices.use-case';
import { SyncProgressUseCase } from './sync-progress/sync-progress.use-case';
import { GetSkillsUseCase } from './get-skills/get-skills.use-case';
import { GetPracticeAnalyticsUseCase } from './get-practice-analytics/get-practice-analytics.use-case';
import { LockedProgressLoader } from './user-progress/locked-progress.loader';
import { FinishLeaderboardPeriodsUseCase } from './leaderboards/finish-leaderboard-periods.use-case';
import { GetLeaderboardUseCase } from './leaderboards/get-leaderboard.use-case';
import { LeaderboardBuilder } from './leaderboards/leaderboard-builder';
import { LeaderboardProjector } from './leaderboards/leaderboard-projector';
import { RebuildLeaderboardsUseCase } from './leaderboards/rebuild-leaderboards.use-case';

const useCases = [ApplySessionCompletedUseCase, GetProfileUseCase, ClaimChallengeUseCase, SyncProgressUseCase, ListBadgesUseCase, DiffRulesUseCase, ApplyRulesUseCase, RulesHistoryUseCase, SweepStreakNoticesUseCase, GetLeaderboardUseCase, FinishLeaderboardPeriodsUseCase, RebuildLeaderboardsUseCase, GetSkillsUseCase, GetPracticeAnalyticsUseCase, IssueBadgeCredentialUseCase];

@Module({
  imports: [PersistenceModule],
  providers: [...useCases, BadgeAchievements, LeaderboardProjector, LeaderboardBuilder, RulesInForce, ProgressRecomputer, LockedProgressLoader, SessionRunWriter, AwardsRecorder, { provide: Clock, useClass: SystemClock }],
  exports: [...useCases, BadgeAchievements, LeaderboardProjector, LeaderboardBuilder, RulesInForce, Clock, PersistenceModule],
})
export class ApplicationModule {}
