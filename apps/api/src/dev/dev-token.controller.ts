import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { BearerTokens } from '../auth/bearer-tokens';
import { ApiError } from '../errors/api-error';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export class DevTokenRequest {
  @ApiProperty({ pattern: USER_ID.source, example: 'user-123' })
  @IsString()
  @Matches(USER_ID, { message: 'userId must be 1..128 characters of [A-Za-z0-9._:@-]' })
  userId!: string;
}

export class DevSignInResponse {
  @ApiProperty({ enum: [true] }) devSignIn!: true;
}

export class DevTokenResponse {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiJ9…', description: 'a user token for the userId, valid for 12 hours' }) token!: string;
}

/**
 * Development sign-in for the dashboard: mints a user token for any userId, HS256 with JWT_SECRET.
 * Registered only when NODE_ENV is development; in production and test the route does not exist,
 * and without JWT_SECRET (an identity provider signs every token) it answers 404.
 */
@ApiTags('development')
@Controller('dev')
export class DevTokenController {
  constructor(
    private readonly tokens: BearerTokens,
    private readonly config: AppConfig,
  ) {}

  /** Lets the dashboard know it may offer the sign-in form (in production this answers 404). */
  @Get()
  @ApiOperation({ operationId: 'getDevSignIn', summary: 'Development only: whether development sign-in is available' })
  @ApiOkResponse({ type: DevSignInResponse })
  available(): DevSignInResponse {
    this.requireSecret();
    return { devSignIn: true };
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ operationId: 'createDevToken', summary: 'Development only: a 12-hour token for the given userId' })
  @ApiOkResponse({ type: DevTokenResponse })
  token(@Body() { userId }: DevTokenRequest): DevTokenResponse {
    this.requireSecret();
    return {
      token: this.tokens.mint({ sub: userId, [this.config.auth.userIdClaim]: userId }, '12h'),
    };
  }

  private requireSecret(): void {
    if (!this.tokens.acceptsSharedSecret) {
      throw new ApiError(404, 'NOT_FOUND', 'Development sign-in needs JWT_SECRET; this api accepts only its identity provider\'s tokens.');
    }
  }
}
