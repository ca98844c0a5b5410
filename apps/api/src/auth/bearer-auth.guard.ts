import { timingSafeEqual } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@app/config';
import { ApiError } from '../errors/api-error';
import type { AuthenticatedRequest, Principal } from './principal';

export const SYNC_SCOPE = 'gamification:sync';
export const ADMIN_SCOPE = 'gamification:admin';
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': 'Bearer' });
}

function scopesOf(claim: unknown): string[] {
  if (typeof claim === 'string') {
    return claim.split(' ');
  }
  return Array.isArray(claim) ? claim.filter((scope): scope is string => typeof scope === 'string') : [];
}

/**
 * Verifies `Authorization: Bearer <token>`: an HS256 JWT signed with JWT_SECRET (audience and issuer
 * checked when configured), or the configured service key. Anything else is a 401.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly serviceKey: Buffer | null;

  constructor(
    private readonly jwt: JwtService,
    config: AppConfig,
  ) {
    this.serviceKey = config.auth.serviceApiKey === null ? null : Buffer.from(config.auth.serviceApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = this.authenticate(request.headers.authorization);
    return true;
  }

  private authenticate(header: string | undefined): Principal {
    if (header === undefined) {
      throw unauthorized('A bearer token is required.');
    }
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim());
    if (match === null) {
      throw unauthorized('The Authorization header must be "Bearer <token>".');
    }
    const token = match[1];
    if (this.serviceKey !== null) {
      const presented = Buffer.from(token);
      if (presented.length === this.serviceKey.length && timingSafeEqual(presented, this.serviceKey)) {
        return { userId: null, mayApplySessions: true, mayAdminister: true, expiresAt: null };
      }
    }
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify(token);
    } catch {
      throw unauthorized('The bearer token is invalid or expired.');
    }
    if (typeof claims.sub !== 'string' || !USER_ID.test(claims.sub)) {
      throw unauthorized('The bearer token has no valid sub claim.');
    }
    const scopes = scopesOf(claims.scope);
    return {
      userId: claims.sub,
      mayApplySessions: scopes.includes(SYNC_SCOPE),
      mayAdminister: scopes.includes(ADMIN_SCOPE),
      expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
    };
  }
}
