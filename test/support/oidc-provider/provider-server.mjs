// A real OpenID Connect provider (oidc-provider, ES modules only) for the tests, run as a child
// process of test/support/oidc-provider.ts so that it stays out of Jest's CommonJS module system.
// Settings come from the environment; once listening it prints one line of JSON on stdout.
import console from 'node:console';
import { createServer } from 'node:http';
import process from 'node:process';
import Provider, { errors } from 'oidc-provider';

const audience = requiredEnv('OIDC_AUDIENCE');
const accessTokenAlg = requiredEnv('OIDC_ACCESS_TOKEN_ALG');
const jwks = JSON.parse(requiredEnv('OIDC_JWKS'));
const clients = JSON.parse(requiredEnv('OIDC_CLIENTS'));
// The scopes the provider knows, and the ones the api accepts, are those the clients may ask for.
const scopes = [...new Set(['openid', ...clients.flatMap((client) => client.scope?.split(' ') ?? [])])];
const TOKEN_TTL_SECONDS = 60 * 60;

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve);
});
// The issuer names the port, which is known only once listening when the port asked for is 0.
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks,
  clients,
  scopes,
  clientDefaults: { id_token_signed_response_alg: accessTokenAlg },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      // Without it a token request that asks for openid but names no resource gets an opaque token for userinfo.
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, resourceIndicator) {
        if (resourceIndicator !== audience) {
          throw new errors.InvalidTarget(`the only resource is ${audience}`);
        }
        return { audience, scope: scopes.join(' '), accessTokenFormat: 'jwt', jwt: { sign: { alg: accessTokenAlg } } };
      },
    },
  },
  // Every client is first-party: it gets the scopes it asks for without a consent page.
  async loadExistingGrant(ctx) {
    const { client, session, result, requestParamScopes, requestParamOIDCScopes, resourceServers } = ctx.oidc;
    const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    const grant = (grantId && (await provider.Grant.find(grantId))) || new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    grant.addOIDCScope(requestParamOIDCScopes);
    for (const resource of Object.keys(resourceServers)) {
      grant.addResourceScope(resource, requestParamScopes);
    }
    await grant.save();
    return grant;
  },
  findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
  // The lifetimes and renderError are set so that no default is left for the provider to print a
  // notice about on stdout, the ready line's channel. Its warnings about its development-only parts
  // (in-memory store, login page, a Node.js release older than 22) go to stderr.
  ttl: {
    AccessToken: TOKEN_TTL_SECONDS,
    ClientCredentials: TOKEN_TTL_SECONDS,
    IdToken: TOKEN_TTL_SECONDS,
    Interaction: TOKEN_TTL_SECONDS,
    Session: TOKEN_TTL_SECONDS,
    Grant: TOKEN_TTL_SECONDS,
  },
  // The harness reports a failed step with its response body: JSON reads better there than an HTML page.
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});
provider.on('server_error', (_ctx, error) => console.error(error));
server.on('request', provider.callback());

process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

process.stdout.write(`${JSON.stringify({ issuer, jwksUri: provider.urlFor('jwks'), authorizationEndpoint: provider.urlFor('authorization'), tokenEndpoint: provider.urlFor('token') })}\n`);
