import { timingSafeEqual } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { BearerTokens, unauthorized } from './bearer-tokens';
import type { AuthenticatedRequest, Principal } from './principal';

export const SYNC_SCOPE = 'gamification:sync';
export const ADMIN_SCOPE = 'gamification:admin';
// The contract's userId (section 2): the id the interview services put in their events.
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

function scopesOf(claim: unknown): string[] {
  if (typeof claim === 'string') {
    return claim.split(' ');
  }
  return Array.isArray(claim) ? claim.filter((scope): scope is string => typeof scope === 'string') : [];
}

/**
 * Verifies `Authorization: Bearer <token>`: a JWT (BearerTokens: HS256 with JWT_SECRET, or signed by
 * the identity provider), or the configured service key. The user is the JWT_USER_ID_CLAIM claim;
 * scopes are read from `scope` or `scp` (Entra ID's user tokens), a space-separated string or an array.
 * Anything else is a 401.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly serviceKey: Buffer | null;
  private readonly userIdClaim: string;

  constructor(
    private readonly tokens: BearerTokens,
    config: AppConfig,
  ) {
    this.serviceKey = config.auth.serviceApiKey === null ? null : Buffer.from(config.auth.serviceApiKey);
    this.userIdClaim = config.auth.userIdClaim;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = await this.authenticate(request.headers.authorization);
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    if (header === undefined) {
      throw unauthorized('A bearer token is required.', false);
    }
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim());
    if (match === null) {
      throw unauthorized('The Authorization header must be "Bearer <token>".', false);
    }
    const token = match[1];
    if (this.serviceKey !== null) {
      const presented = Buffer.from(token);
      if (presented.length === this.serviceKey.length && timingSafeEqual(presented, this.serviceKey)) {
        return { userId: null, mayApplySessions: true, mayAdminister: true, expiresAt: null };
      }
    }
    const claims = await this.tokens.verify(token);
    const scopes = [...scopesOf(claims.scope), ...scopesOf(claims.scp)];
    // A service's token (client credentials) acts for no user of the platform, so it may lack the
    // user id claim that a provider adds to user tokens only (Auth0's namespaced claims): its sub names it.
    const userId = claims[this.userIdClaim] ?? (scopes.includes(SYNC_SCOPE) ? claims.sub : undefined);
    if (typeof userId !== 'string' || !USER_ID.test(userId)) {
      throw unauthorized(`The bearer token has no valid ${this.userIdClaim} claim: a user id of 1 to 128 characters of [A-Za-z0-9._:@-].`);
    }
    return {
      userId,
      mayApplySessions: scopes.includes(SYNC_SCOPE),
      mayAdminister: scopes.includes(ADMIN_SCOPE),
      expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
    };
  }
}
