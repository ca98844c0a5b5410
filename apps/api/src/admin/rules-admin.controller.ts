import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { RulesHistoryUseCase, type RulesHistoryView } from '@app/application';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { ErrorResponse } from '../errors/error.response';
import { RulesHistoryResponse } from './dto/rules-history.response';
import { PROVIDER_UNAVAILABLE_RESPONSE } from '../auth/bearer-tokens';

/** Read-only operator routes; changing the rules is `npm run rules -- apply`, which shows its progress. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin')
@UseGuards(BearerAuthGuard)
export class RulesAdminController {
  constructor(private readonly rulesHistory: RulesHistoryUseCase) {}

  @Get('rules')
  @ApiOperation({
    operationId: 'getRulesHistory',
    summary: 'The rules version in force and every version before it, with who applied each and when (service credential)',
  })
  @ApiOkResponse({ type: RulesHistoryResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'missing, malformed, expired or wrongly signed token' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: PROVIDER_UNAVAILABLE_RESPONSE })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'a credential without the gamification:admin scope' })
  rules(@CurrentPrincipal() principal: Principal): Promise<RulesHistoryView> {
    if (!principal.mayAdminister) {
      throw new ApiError(403, 'FORBIDDEN', 'This route needs the service key or a token with the gamification:admin scope.');
    }
    return this.rulesHistory.execute();
  }
}
