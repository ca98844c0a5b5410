import { Controller, Get, Param, ParseIntPipe, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BadgeAchievements, Clock, IssueBadgeCredentialQuery, IssueBadgeCredentialUseCase } from '@app/application';
import { OPEN_BADGES_CONTEXT } from '@app/domain';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentUserId } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { ErrorResponse } from '../errors/error.response';
import { BadgeSigningKey } from './badge-signing-key';
import { PublicDocument } from './public-document.decorator';
import { AchievementResponse, BadgeCredentialResponse, IssuerProfileDocumentResponse, JsonWebKeyResponse, JsonWebKeySetResponse } from './dto/open-badges.response';
import { PROVIDER_UNAVAILABLE_RESPONSE } from '../auth/bearer-tokens';

const VC_JWT = 'application/vc+jwt';
const rulesVersion = new ParseIntPipe({
  exceptionFactory: () => new ApiError(400, 'VALIDATION_FAILED', 'version: must be a whole number'),
});
const JSON_TYPE = 'application/json';

/**
 * Open Badges 3.0 (contract section 11): a caller's earned badge as a signed credential, and the
 * public documents a verifier follows from it: the issuer, each achievement, and the keys.
 */
@ApiTags('open badges')
@Controller()
export class OpenBadgesController {
  constructor(
    private readonly issueCredential: IssueBadgeCredentialUseCase,
    private readonly achievements: BadgeAchievements,
    private readonly key: BadgeSigningKey,
    private readonly clock: Clock,
  ) {}

  @Get('gamification/badges/:code/credential')
  @UseGuards(BearerAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'getBadgeCredential',
    summary: 'An earned badge as an Open Badges 3.0 credential: a VC-JWT, or with Accept: application/json the credential and the JWT',
  })
  @ApiExtraModels(BadgeCredentialResponse)
  @ApiResponse({
    status: 200,
    description: `${VC_JWT}: the JWT alone; ${JSON_TYPE}: the credential and the JWT side by side`,
    content: { [VC_JWT]: { schema: { type: 'string' } }, [JSON_TYPE]: { schema: { $ref: getSchemaPath(BadgeCredentialResponse) } } },
  })
  @ApiResponse({ status: 406, type: ErrorResponse, description: `NOT_ACCEPTABLE: Accept allows neither ${VC_JWT} nor ${JSON_TYPE}` })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'missing, malformed, expired or wrongly signed token' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a service credential that acts for no user' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'BADGE_NOT_EARNED: the caller has not earned this badge, or no badge has this code' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: PROVIDER_UNAVAILABLE_RESPONSE })
  async credential(@CurrentUserId() userId: string, @Param('code') code: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const wanted = request.accepts([VC_JWT, JSON_TYPE]);
    if (wanted === false) {
      throw new ApiError(406, 'NOT_ACCEPTABLE', `Accept must allow ${VC_JWT} or ${JSON_TYPE}`);
    }
    const credential = await this.issueCredential.execute(new IssueBadgeCredentialQuery(userId, code, this.key));
    const jwt = await this.key.sign(credential, this.clock.now());
    response.setHeader('Cache-Control', 'private, no-store').vary('Accept');
    if (wanted === JSON_TYPE) {
      response.type(JSON_TYPE).send({ credential, jwt });
    } else {
      response.type(VC_JWT).send(jwt);
    }
  }

  @Get('ob/issuer')
  @PublicDocument()
  @ApiOperation({ operationId: 'getIssuerProfile', summary: 'The issuer of the badge credentials, as an Open Badges 3.0 Profile' })
  @ApiOkResponse({ type: IssuerProfileDocumentResponse })
  issuer(): Record<string, unknown> {
    return { '@context': OPEN_BADGES_CONTEXT, ...this.achievements.issuer };
  }

  @Get('ob/achievements/:code')
  @PublicDocument()
  @ApiOperation({ operationId: 'getAchievement', summary: 'A badge as the rules in force define it, as an Open Badges 3.0 Achievement with its criteria' })
  @ApiOkResponse({ type: AchievementResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'BADGE_NOT_FOUND: the rules in force have no badge with this code' })
  async achievement(@Param('code') code: string): Promise<Record<string, unknown>> {
    return { '@context': OPEN_BADGES_CONTEXT, ...(await this.achievements.current(code)) };
  }

  @Get('ob/achievements/:code/versions/:version')
  @PublicDocument()
  @ApiOperation({ operationId: 'getAchievementVersion', summary: 'A badge as one rules version defined it: the id a credential names' })
  @ApiOkResponse({ type: AchievementResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED: version is not a whole number' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'BADGE_NOT_FOUND: no such rules version, or it has no badge with this code' })
  async achievementVersion(@Param('code') code: string, @Param('version', rulesVersion) version: number): Promise<Record<string, unknown>> {
    return { '@context': OPEN_BADGES_CONTEXT, ...(await this.achievements.ofVersion(code, version)) };
  }

  @Get('ob/keys/:thumbprint')
  @PublicDocument()
  @ApiOperation({ operationId: 'getSigningKey', summary: 'One public key of the badge credentials, as a JWK: what a JWT’s kid dereferences to' })
  @ApiOkResponse({ type: JsonWebKeyResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'NOT_FOUND: not a key of this issuer' })
  signingKey(@Param('thumbprint') thumbprint: string): JsonWebKeyResponse {
    const jwk = this.key.jwk(this.achievements.ids.key(thumbprint));
    if (jwk === null) {
      throw new ApiError(404, 'NOT_FOUND', 'not a key of this issuer');
    }
    return jwk;
  }

  @Get('.well-known/jwks.json')
  @PublicDocument()
  @ApiOperation({ operationId: 'getJsonWebKeySet', summary: 'The public keys of the badge credentials: each JWT’s kid names one' })
  @ApiOkResponse({ type: JsonWebKeySetResponse })
  jwks(): JsonWebKeySetResponse {
    return this.key.jwks();
  }
}
