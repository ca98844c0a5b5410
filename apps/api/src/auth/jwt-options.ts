import { createSecretKey } from 'node:crypto';
import type { JwtModuleOptions } from '@nestjs/jwt';
import type { AppConfig } from '@app/config';

/**
 * HS256 with JWT_SECRET, audience and issuer checked when configured, with the clock tolerance that
 * the identity provider's tokens get too. jsonwebtoken, not jose, checks these: its synchronous HMAC
 * costs 10 µs a token where jose's WebCrypto costs 85, which took 15% off the profile route's
 * requests/s. The secret is handed over as a KeyObject: given a string, jsonwebtoken first tries it
 * as a PEM public key on every verify and catches the failure, which cost a third of the api's CPU on
 * an authenticated read. Without JWT_SECRET (an identity provider signs every token) there is no
 * secret: BearerTokens refuses HS256 before it would be needed.
 */
export function jwtOptions(config: AppConfig): JwtModuleOptions {
  const claims = {
    ...(config.auth.audience === null ? {} : { audience: config.auth.audience }),
    ...(config.auth.issuer === null ? {} : { issuer: config.auth.issuer }),
  };
  return {
    ...(config.auth.jwtSecret === null ? {} : { secret: createSecretKey(Buffer.from(config.auth.jwtSecret)) }),
    signOptions: { algorithm: 'HS256', ...claims },
    verifyOptions: { algorithms: ['HS256'], clockTolerance: config.auth.clockToleranceSeconds, ...claims },
  };
}
