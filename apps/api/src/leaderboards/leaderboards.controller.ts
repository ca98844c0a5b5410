import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { GetLeaderboardQuery, GetLeaderboardUseCase, type LeaderboardView } from '@app/application';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentUserId } from '../auth/principal';
import { ErrorResponse } from '../errors/error.response';
import { LeaderboardQuery } from './dto/leaderboard.query';
import { LeaderboardListResponse, LeaderboardResponse } from './dto/leaderboard.response';
import { PROVIDER_UNAVAILABLE_RESPONSE } from '../auth/bearer-tokens';

const DEFAULT_LIMIT = 10;

@ApiTags('leaderboards')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponse, description: 'missing, malformed, expired or wrongly signed token' })
@ApiServiceUnavailableResponse({ type: ErrorResponse, description: `the database is briefly unavailable; or ${PROVIDER_UNAVAILABLE_RESPONSE}` })
@Controller('gamification/leaderboards')
@UseGuards(BearerAuthGuard)
export class LeaderboardsController {
  constructor(private readonly leaderboards: GetLeaderboardUseCase) {}

  @Get()
  @ApiOperation({ operationId: 'listLeaderboards', summary: 'The boards of the rules in force' })
  @ApiOkResponse({ type: LeaderboardListResponse })
  async list(): Promise<LeaderboardListResponse> {
    return { leaderboards: await this.leaderboards.list() };
  }

  @Get(':code')
  @ApiOperation({ operationId: 'getLeaderboard', summary: 'A page of a board in a period, or the caller and their neighbours (around=me), with the caller’s rank' })
  @ApiOkResponse({ type: LeaderboardResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED, naming period, limit, offset or around' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a service credential that acts for no user' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'LEADERBOARD_NOT_FOUND' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponse,
    description: `LEADERBOARD_REBUILDING with Retry-After: the board is being rebuilt in Redis and the database already answers as many board reads as it may; or the database is briefly unavailable; or ${PROVIDER_UNAVAILABLE_RESPONSE}`,
  })
  board(@CurrentUserId() userId: string, @Param('code') code: string, @Query() query: LeaderboardQuery): Promise<LeaderboardView> {
    const period = query.period === undefined || query.period === 'current' ? 'current' : query.period === 'previous' ? 'previous' : { key: query.period };
    const page = query.around === 'me' ? ({ around: true } as const) : ({ around: false, offset: query.offset ?? 0, limit: query.limit ?? DEFAULT_LIMIT } as const);
    return this.leaderboards.execute(new GetLeaderboardQuery(userId, code, period, page));
  }
}
