import { createSecretKey } from 'node:crypto';
import type { JwtModuleOptions } from '@nestjs/jwt';
import type { AppConfig } from '@app/config';

/**
 * HS256 with JWT_SECRET, audience and issuer checked when configured. The secret is handed over as
 * a KeyObject: given a string, jsonwebtoken first tries it as a PEM public key on every verify and
 * catches the failure, which cost a third of the api's CPU on an authenticated read.
 */
export function jwtOptions(config: AppConfig): JwtModuleOptions {
  const claims = {
    ...(config.auth.audience === null ? {} : { audience: config.auth.audience }),
    ...(config.auth.issuer === null ? {} : { issuer: config.auth.issuer }),
  };
  return {
    secret: createSecretKey(Buffer.from(config.auth.jwtSecret)),
    signOptions: { algorithm: 'HS256', ...claims },
    verifyOptions: { algorithms: ['HS256'], ...claims },
  };
}
