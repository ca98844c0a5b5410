import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
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
 * Development sign-in for the dashboard: mints a user token for any userId. Registered only when
 * NODE_ENV is development; in production and test the route does not exist.
 */
@ApiTags('development')
@Controller('dev')
export class DevTokenController {
  constructor(private readonly jwt: JwtService) {}

  /** Lets the dashboard know it may offer the sign-in form (in production this answers 404). */
  @Get()
  @ApiOperation({ operationId: 'getDevSignIn', summary: 'Development only: whether development sign-in is available' })
  @ApiOkResponse({ type: DevSignInResponse })
  available(): DevSignInResponse {
    return { devSignIn: true };
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ operationId: 'createDevToken', summary: 'Development only: a 12-hour token for the given userId' })
  @ApiOkResponse({ type: DevTokenResponse })
  token(@Body() { userId }: DevTokenRequest): DevTokenResponse {
    return {
      token: this.jwt.sign({ sub: userId }, { expiresIn: '12h' }),
    };
  }
}
