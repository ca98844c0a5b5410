import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class DevTokenRequest {
  @IsString()
  @Matches(/^[A-Za-z0-9._:@-]{1,128}$/, { message: 'userId must be 1..128 characters of [A-Za-z0-9._:@-]' })
  userId!: string;
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
  @ApiOperation({ summary: 'Development only: whether development sign-in is available' })
  @ApiOkResponse({ schema: { example: { devSignIn: true } } })
  available(): { devSignIn: true } {
    return { devSignIn: true };
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Development only: a 12-hour token for the given userId' })
  @ApiOkResponse({ schema: { example: { token: 'eyJhbGciOiJIUzI1NiJ9…' } } })
  token(@Body() { userId }: DevTokenRequest): { token: string } {
    return {
      token: this.jwt.sign({ sub: userId }, { expiresIn: '12h' }),
    };
  }
}
