import { applyDecorators, Header } from '@nestjs/common';

/**
 * A document anyone may read and keep a few minutes: it changes only with a new key, new rules or a
 * new deployment, and verifiers that run in a browser (wallets, badge displays) read it from other origins.
 */
export function PublicDocument(): MethodDecorator {
  return applyDecorators(Header('Cache-Control', 'public, max-age=300'), Header('Access-Control-Allow-Origin', '*'));
}
