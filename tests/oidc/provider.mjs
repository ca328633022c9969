// A real OpenID provider (panva's oidc-provider) for the identity tests, on loopback.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json (written by tests/identity_infra.py):
//   issuer     "http://127.0.0.1:PORT"
//   port       PORT
//   keys       the provider's private signing keys (JWKs with kid); the first of an alg signs
//   resources  resource indicators it issues JWT access tokens for (each one is the token's aud)
//   clients    [{client_id, client_secret, alg, ttl, claims, iss}] for the client_credentials grant:
//              alg signs the client's tokens (an HS* alg signs with client_secret), ttl is the
//              token's lifetime in seconds, claims are added to every token of the client, and iss
//              (optional) overrides the token's issuer, to play an impostor.
//
// Prints "ready <issuer>" once it listens.

import { readFileSync } from 'node:fs';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const clients = new Map(config.clients.map((client) => [client.client_id, client]));
const resources = new Set(config.resources);

const provider = new Provider(config.issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: config.keys },
  cookies: { keys: ['pakn-test-cookie-key'] },
  scopes: ['openid', 'pakn'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.resources[0],
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, resourceIndicator, client) {
        if (!resources.has(resourceIndicator)) {
          throw new errors.InvalidTarget();
        }
        const spec = clients.get(client.clientId);
        const alg = spec.alg || 'RS256';
        return {
          audience: resourceIndicator,
          scope: 'pakn',
          accessTokenFormat: 'jwt',
          accessTokenTTL: spec.ttl || 600,
          jwt: { sign: alg.startsWith('HS') ? { alg, key: spec.client_secret } : { alg } },
        };
      },
    },
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'],
  },
  ttl: { ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL || 600 },
  async extraTokenClaims(ctx, token) {
    return clients.get(token.clientId)?.claims;
  },
  formats: {
    customizers: {
      async jwt(ctx, token, jwt) {
        const spec = clients.get(token.clientId);
        if (spec?.iss) {
          jwt.payload.iss = spec.iss;
        }
      },
    },
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${config.issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
