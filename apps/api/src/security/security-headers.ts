import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * What the api's own pages may load: only files from this origin. The dashboard is a Vite build
 * (one script file and one stylesheet; React sets its inline widths through the CSSOM, which
 * `style-src` does not govern), and it talks only to this api.
 */
const PAGE_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

/**
 * The OpenAPI UI's page, as @nestjs/swagger writes it, carries two `<style>` blocks and a `style`
 * attribute of its own, so it gets inline styles. Its scripts are files, so scripts stay `'self'`.
 */
const DOCS_POLICY = { ...PAGE_POLICY, 'style-src': ["'self'", "'unsafe-inline'"] };

function headers(directives: typeof PAGE_POLICY): RequestHandler {
  // No upgrade-insecure-requests: the api is also reached over plain http (the demo, internal
  // hosts), where upgrading the dashboard's own script and stylesheet to https would break it.
  return helmet({ contentSecurityPolicy: { useDefaults: false, directives }, referrerPolicy: { policy: 'no-referrer' } });
}

/** helmet's headers on every response, with the policy for the OpenAPI UI under `docsPath`. */
export function securityHeaders(docsPath: string): RequestHandler {
  const pages = headers(PAGE_POLICY);
  const docs = headers(DOCS_POLICY);
  return (request, response, next) =>
    (request.path === docsPath || request.path.startsWith(`${docsPath}/`) ? docs : pages)(request, response, next);
}
