import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, CurrentUserId, type Principal } from '../auth/principal';
import { ErrorResponse } from '../errors/error.response';
import { LiveEvents } from './live-events';
import { PROVIDER_UNAVAILABLE_RESPONSE } from '../auth/bearer-tokens';

@ApiTags('gamification')
@ApiBearerAuth()
@Controller('gamification')
@UseGuards(BearerAuthGuard)
export class StreamController {
  constructor(private readonly live: LiveEvents) {}

  @Get('stream')
  @ApiOperation({
    operationId: 'streamEvents',
    summary: "The caller's published events, live (Server-Sent Events)",
    description:
      'Each badge.awarded, level.up and streak.* event of the caller, as `event: <type>`, `id: <eventId>` and `data: <the event JSON>`, ' +
      'within 2 s of its publication; a comment line every 15 s keeps the stream open. Events published while no stream was open are not replayed: ' +
      're-read the profile after (re)connecting. The stream ends when the token expires.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'the stream; it stays open', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'missing, malformed, expired or wrongly signed token' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: the service key acts for no user' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'TOO_MANY_STREAMS: STREAM_MAX_PER_USER streams of this user are open here already' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: `STREAM_NOT_READY, with Retry-After: this instance is not fed by the topics right now; or ${PROVIDER_UNAVAILABLE_RESPONSE}` })
  stream(@CurrentUserId() userId: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): void {
    this.live.open(userId, principal.expiresAt, response);
  }
}
