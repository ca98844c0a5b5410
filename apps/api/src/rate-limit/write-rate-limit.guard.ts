import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '../auth/principal';

/** Limits write routes per caller: per user for user tokens, per credential for services. */
@Injectable()
export class WriteRateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const { principal } = request as unknown as AuthenticatedRequest;
    return principal.userId === null ? 'service' : `user:${principal.userId}`;
  }
}
