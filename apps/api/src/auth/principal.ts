import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../errors/api-error';

/** Who is calling, as the bearer token says. */
export interface Principal {
  /** The JWT's sub; null for the static service key, which acts for no user. */
  readonly userId: string | null;
  /** May submit SessionCompleted events (scope gamification:sync, or the service key). */
  readonly mayApplySessions: boolean;
  /** May read the operators' routes under /admin (scope gamification:admin, or the service key). */
  readonly mayAdminister: boolean;
  /** When the credential stops being valid (the JWT's exp); null for one without an expiry. */
  readonly expiresAt: Date | null;
}

export interface AuthenticatedRequest extends Request {
  principal: Principal;
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);

/** The calling user's id; a credential that acts for no user is refused here. */
export const CurrentUserId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const { principal } = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (principal.userId === null) {
    throw new ApiError(403, 'FORBIDDEN', 'This route needs a user token.');
  }
  return principal.userId;
});
