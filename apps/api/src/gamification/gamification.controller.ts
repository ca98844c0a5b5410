import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  ApplySessionCompletedCommand,
  ApplySessionCompletedUseCase,
  ClaimChallengeCommand,
  ClaimChallengeUseCase,
  Clock,
  GetPracticeAnalyticsQuery,
  GetPracticeAnalyticsUseCase,
  GetProfileQuery,
  GetProfileUseCase,
  GetSkillsQuery,
  GetSkillsUseCase,
  ListBadgesUseCase,
  SyncProgressCommand,
  SyncProgressUseCase,
  type BadgeCatalogEntry,
  type ClaimedChallenge,
  type ProfileView,
  type SkillsView,
} from '@app/application';
import type { PracticeAnalytics } from '@app/domain';
import { validateSessionCompleted } from '@app/messaging';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, CurrentUserId, type Principal } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { ErrorResponse } from '../errors/error.response';
import { WriteRateLimitGuard } from '../rate-limit/write-rate-limit.guard';
import { AnalyticsQuery } from './dto/analytics.query';
import { AnalyticsResponse } from './dto/analytics.response';
import { BadgeCatalogResponse, ClaimChallengeResponse, ProfileResponse } from './dto/profile.response';
import { SkillsResponse } from './dto/skills.response';
import { SessionCompletedRequest } from './dto/session-completed.request';
import { HttpMetrics } from '../observability/http-metrics';
import { PROVIDER_UNAVAILABLE_RESPONSE } from '../auth/bearer-tokens';

const DEFAULT_ANALYTICS_DAYS = 365;

const challengeId = new ParseUUIDPipe({
  exceptionFactory: () => new ApiError(400, 'VALIDATION_FAILED', 'id: must be a UUID'),
});

function isEmptyBody(body: unknown): boolean {
  return body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
}

@ApiTags('gamification')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponse, description: 'missing, malformed, expired or wrongly signed token' })
@ApiServiceUnavailableResponse({ type: ErrorResponse, description: `the database is briefly unavailable; or ${PROVIDER_UNAVAILABLE_RESPONSE}` })
@Controller('gamification')
@UseGuards(BearerAuthGuard)
export class GamificationController {
  constructor(
    private readonly getProfile: GetProfileUseCase,
    private readonly claimChallenge: ClaimChallengeUseCase,
    private readonly syncProgress: SyncProgressUseCase,
    private readonly applySession: ApplySessionCompletedUseCase,
    private readonly listBadges: ListBadgesUseCase,
    private readonly getSkills: GetSkillsUseCase,
    private readonly getAnalytics: GetPracticeAnalyticsUseCase,
    private readonly clock: Clock,
    private readonly metrics: HttpMetrics,
  ) {}

  @Get('profile')
  @ApiOperation({ operationId: 'getProfile', summary: 'The caller’s level, XP, streak, badges and today’s challenges' })
  @ApiOkResponse({ type: ProfileResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a service credential that acts for no user' })
  profile(@CurrentUserId() userId: string): Promise<ProfileView> {
    return this.getProfile.execute(new GetProfileQuery(userId));
  }

  @Get('skills')
  @ApiOperation({ operationId: 'getSkills', summary: 'Every skill of the tree with the caller’s XP, sessions, average score and mastery in it' })
  @ApiOkResponse({ type: SkillsResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a service credential that acts for no user' })
  skills(@CurrentUserId() userId: string): Promise<SkillsView> {
    return this.getSkills.execute(new GetSkillsQuery(userId));
  }

  @Get('analytics')
  @ApiOperation({ operationId: 'getPracticeAnalytics', summary: 'The caller’s practice by day and ISO week, and their score trend, in their zone' })
  @ApiOkResponse({ type: AnalyticsResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED: days is not a whole number from 1 to 366, or an unknown parameter' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a service credential that acts for no user' })
  analytics(@CurrentUserId() userId: string, @Query() query: AnalyticsQuery): Promise<PracticeAnalytics> {
    return this.getAnalytics.execute(new GetPracticeAnalyticsQuery(userId, query.days ?? DEFAULT_ANALYTICS_DAYS));
  }

  @Get('badges')
  @ApiOperation({ operationId: 'listBadges', summary: 'Every badge of the rules, with how to earn it (earned or not)' })
  @ApiOkResponse({ type: [BadgeCatalogResponse] })
  badges(): Promise<BadgeCatalogEntry[]> {
    return this.listBadges.execute();
  }

  @Post('claim-challenge/:id')
  @HttpCode(200)
  @UseGuards(WriteRateLimitGuard)
  @ApiOperation({ operationId: 'claimChallenge', summary: 'Claim the XP of a completed challenge, at most once' })
  @ApiOkResponse({ type: ClaimChallengeResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED: the id is not a UUID' })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'CHALLENGE_NOT_FOUND: no such id, or not the caller’s' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'CHALLENGE_NOT_COMPLETED or CHALLENGE_ALREADY_CLAIMED' })
  @ApiGoneResponse({ type: ErrorResponse, description: 'CHALLENGE_EXPIRED' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'RATE_LIMITED, with Retry-After' })
  claim(@CurrentUserId() userId: string, @Param('id', challengeId) id: string): Promise<ClaimedChallenge> {
    return this.claimChallenge.execute(new ClaimChallengeCommand(userId, id));
  }

  @Post('sync-progress')
  @HttpCode(200)
  @UseGuards(WriteRateLimitGuard)
  @ApiOperation({
    operationId: 'syncProgress',
    summary: 'Re-evaluate the caller’s streak and badges (user token, no body), or apply a SessionCompleted v1 (service credential)',
  })
  @ApiBody({ type: SessionCompletedRequest, required: false })
  @ApiOkResponse({ type: ProfileResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED, naming the fields' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a user token with a body' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'RATE_LIMITED, with Retry-After' })
  async sync(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ProfileView> {
    if (isEmptyBody(body)) {
      if (principal.userId === null) {
        throw new ApiError(400, 'VALIDATION_FAILED', 'body: a SessionCompleted v1 event is required with a service credential');
      }
      await this.syncProgress.execute(new SyncProgressCommand(principal.userId));
      return this.getProfile.execute(new GetProfileQuery(principal.userId));
    }
    if (!principal.mayApplySessions) {
      throw new ApiError(403, 'FORBIDDEN', 'Only internal services may submit sessions.');
    }
    const parsed = validateSessionCompleted(body, this.clock.now());
    if (!parsed.ok) {
      throw new ApiError(400, 'VALIDATION_FAILED', parsed.message);
    }
    const outcome = await this.applySession.execute(new ApplySessionCompletedCommand(parsed.session, 'api'));
    if (outcome.status === 'applied' && outcome.decision.unknownSkills.length > 0) {
      this.metrics.countUnknownSkills(outcome.decision.unknownSkills.length);
    }
    return this.getProfile.execute(new GetProfileQuery(parsed.session.userId));
  }
}
