// A real OpenID Connect provider (npm oidc-provider) for tests/test_oidc.py, on 127.0.0.1 only.
//
//   node provider.mjs PORT        (or PORT=... node provider.mjs)
//
// Environment (all optional except the redirect URI):
//   OIDC_REDIRECT_URI             the relying party's /oidc/callback/ (registered for the client)
//   OIDC_POST_LOGOUT_REDIRECT_URI where the provider may send the browser after signing out
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
//   OIDC_JWKS_FILE                a private JWKS (RS256) to sign with; generated when absent, the
//                                 tests pass their own so they can forge tokens with the real key
//   OIDC_ACCOUNTS                 JSON {login: {claims...}}; every account's password is
//   OIDC_PASSWORD                 this one
//   OIDC_ACCOUNTS_FILE            the same JSON in a file, read at every use, so that a test can
//                                 change a user's claims as a directory would (wins over the above)
//
// Sign-in is a plain HTML form at /interaction/:uid that a test drives with HTTP: POST login and
// password, and consent is given in the same step (no browser, no second prompt).

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs PORT (the issuer is http://127.0.0.1:PORT)');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.OIDC_CLIENT_ID || 'trust-portal';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'test-client-secret';
const password = process.env.OIDC_PASSWORD || 'test-password';
const fixedAccounts = JSON.parse(process.env.OIDC_ACCOUNTS || JSON.stringify({
  alice: { email: 'alice@example.test', email_verified: true, name: 'Alice Example', org: 'example' },
}));

function accounts() {
  const file = process.env.OIDC_ACCOUNTS_FILE;
  return file ? JSON.parse(readFileSync(file, 'utf8')) : fixedAccounts;
}

function signingKeys() {
  if (process.env.OIDC_JWKS_FILE) {
    return JSON.parse(readFileSync(process.env.OIDC_JWKS_FILE, 'utf8'));
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' }] };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [process.env.OIDC_POST_LOGOUT_REDIRECT_URI || 'http://testserver/'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post', // what mozilla-django-oidc sends by default
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: signingKeys(),
  pkce: { required: () => true }, // also for confidential clients, as OAuth 2.1 asks
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'org'], // "org": the tenant claim the portal maps to an Organization
  },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts(), id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts()[id] }) };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
      },
    },
  },
  cookies: { keys: ['test-only-cookie-key'] },
});

// Refusals are what the tests provoke; their details go to the log the tests print on failure.
for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'server_error']) {
  provider.on(event, (ctx, error) => console.error(event, error.message, error.error_detail || ''));
}

const page = (body) => `<!DOCTYPE html><html><head><title>Test provider</title></head><body>${body}</body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// GET shows the form; POST with a known login and the password signs in and consents at once.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html');
    res.end(page(`<form method="post"><input name="login"><input name="password" type="password">
      <button>Sign in</button></form>`));
    return;
  }
  const form = await readForm(req);
  const login = form.get('login');
  if (!Object.hasOwn(accounts(), login) || form.get('password') !== password) {
    res.statusCode = 401;
    res.setHeader('content-type', 'text/html');
    res.end(page('<p id="error">Wrong login or password.</p>'));
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const result = { login: { accountId: login }, consent: { grantId: await grant.save() } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  if (/^\/interaction\/[^/]+$/.test(new URL(req.url, issuer).pathname)) {
    interaction(req, res).catch((error) => {
      res.statusCode = 400;
      res.end(String(error));
    });
    return;
  }
  handle(req, res);
});
server.listen(port, '127.0.0.1', () => console.log(`listening on ${issuer}`));
// The tests stop the provider with SIGTERM; exit at once rather than wait for keep-alives.
process.on('SIGTERM', () => process.exit(0));
