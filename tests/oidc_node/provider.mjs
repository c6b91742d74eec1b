// Test-only OpenID Provider for Allmende's relying-party tests.
//
// Wraps panva/oidc-provider (certified OP) and listens on 127.0.0.1 only.
// Environment:
//   OIDC_PORT    port to listen on (0 or unset = pick a free port)
//   OIDC_CONFIG  JSON configuration (see README.md)
// stdout carries exactly one line, `READY http://127.0.0.1:PORT`; every log
// line (including oidc-provider's own notices) goes to stderr.
// The process exits on SIGTERM/SIGINT, or when its stdin is a pipe that gets
// closed (as with harness.py).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { promisify } from 'node:util';

// oidc-provider prints NOTICE lines with console.info (i.e. stdout): keep
// stdout reserved for the READY line. Must happen before oidc-provider loads.
console.log = console.error;
console.info = console.error;

const { default: Provider, interactionPolicy } = await import('oidc-provider');
const jose = await import('jose');

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

let config;
try {
  config = JSON.parse(process.env.OIDC_CONFIG || '{}');
} catch (err) {
  fail(`OIDC_CONFIG is not valid JSON: ${err.message}`);
}
if (config === null || typeof config !== 'object' || Array.isArray(config)) {
  fail('OIDC_CONFIG must be a JSON object');
}

if (!Array.isArray(config.clients ?? [])) fail('OIDC_CONFIG.clients must be a list');

const port = Number.parseInt(process.env.OIDC_PORT || '0', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad OIDC_PORT ${process.env.OIDC_PORT}`);

// Optional: shift this OP's clock (all iat/exp/auth_time it issues) by N seconds.
const clockSkewSeconds = Number(config.clock_skew_seconds || 0);
if (clockSkewSeconds) {
  const realNow = Date.now;
  Date.now = () => realNow() + clockSkewSeconds * 1000;
}

const defaultLoginAccount = config.login_account || 'alice';
const accounts = config.accounts || {};

// --- signing key (RS256), generated per process -----------------------------
// Async on purpose: on Node 20 generateKeyPairSync('rsa') intermittently
// deadlocks (~3% of starts) when a GC runs its KeyGenJob destructor.
const { privateKey } = await promisify(crypto.generateKeyPair)('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `test-${crypto.randomBytes(6).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

// --- clients ---------------------------------------------------------------
const clients = (config.clients || []).map((c) => {
  if (!c.client_id) fail('every client needs a client_id');
  const {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    token_endpoint_auth_method: authMethod = 'client_secret_basic',
    ...rest // any further client metadata is passed through verbatim
  } = c;
  return {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris || [],
    post_logout_redirect_uris: postLogoutRedirectUris || [],
    token_endpoint_auth_method: authMethod,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...rest,
  };
});

// --- accounts / claims ------------------------------------------------------
function claimsFor(sub) {
  const merged = {
    email: `${sub}@example.test`,
    email_verified: true,
    name: sub,
    ...(accounts[sub] || {}),
    sub,
  };
  // `null` in the account config removes a claim (e.g. test a missing email).
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null));
}

const claims = config.claims || {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  ags: ['ags'],
};

// --- interaction policy: a login_hint that differs from the session's
// account forces a new (automatic) login, so one OP serves several users. --
const { Check, base } = interactionPolicy;
const policy = base();
policy.get('login').checks.add(new Check(
  'login_hint_mismatch',
  'login_hint differs from the currently logged-in account',
  'login_required',
  (ctx) => {
    const hint = ctx.oidc.params.login_hint;
    if (hint && ctx.oidc.session.accountId && ctx.oidc.session.accountId !== hint) {
      return Check.REQUEST_PROMPT;
    }
    return Check.NO_NEED_TO_PROMPT;
  },
));

// --- outgoing requests (back-channel logout) --------------------------------
// oidc-provider attaches an SSRF-protecting undici dispatcher that destroys
// sockets to special-use IPs (127.0.0.0/8 included), which would make every
// back-channel logout to a loopback RP fail. Drop it (test-only!) and record
// the status/token of the request for the admin route.
const outgoing = new AsyncLocalStorage();
async function testFetch(url, options) {
  const { dispatcher, ...opts } = options; // eslint-disable-line no-unused-vars
  const record = outgoing.getStore();
  if (record && opts.body instanceof URLSearchParams) {
    record.logout_token = opts.body.get('logout_token');
  }
  const response = await globalThis.fetch(url, opts);
  if (record) record.status = response.status;
  return response;
}

const cookieKeys = config.cookie_keys || [crypto.randomBytes(32).toString('base64url')];

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
// The issuer needs the real port, so listen first and build the Provider after.
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  cookies: { keys: cookieKeys },
  claims,
  conformIdTokenClaims: Boolean(config.conform_id_token_claims),
  clockTolerance: 15,
  pkce: { required: () => true }, // S256 is the only method oidc-provider v9 supports
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // Non-interactive: the confirm form answers "yes, sign me out" and
      // submits itself (harness.follow_browser_redirects() posts it).
      logoutSource: async (ctx, form) => {
        const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.body = `<!DOCTYPE html><html><head><title>Logout</title></head><body>${autoForm}`
          + '<script>document.forms[0].submit()</script></body></html>';
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = '<!DOCTYPE html><html><body>signed out</body></html>';
      },
    },
    backchannelLogout: { enabled: true },
  },
  interactions: {
    policy,
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return claimsFor(sub);
      },
    };
  },
  fetch: testFetch,
  renderError: async (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
// Log the reason behind every OAuth error response (tests can read it via
// NodeProvider.stderr_text()).
for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error',
  'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error']) {
  provider.on(event, (ctx, err) => {
    console.error(`${event}: ${err.error || err.name}: ${err.error_description || err.message}`
      + `${err.error_detail ? ` (${err.error_detail})` : ''}${err.cause ? ` cause: ${err.cause.message}` : ''}`);
  });
}
provider.on('backchannel.error', (ctx, err, client) => {
  console.error(`backchannel.error client=${client.clientId}: ${err.message}`);
});

// --- automatic, non-interactive login + consent -----------------------------
async function handleInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;

  if (prompt.name === 'login') {
    const accountId = params.login_hint || defaultLoginAccount;
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }

  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    if (d.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(d.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
    return;
  }

  sendJson(res, 400, { error: `unsupported prompt ${prompt.name}` });
}

// --- admin routes -----------------------------------------------------------
function sendJson(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function findClient(clientId) {
  const client = clientId ? await provider.Client.find(String(clientId)) : undefined;
  if (!client) {
    const err = new Error(`unknown client_id ${clientId}`);
    err.status = 404;
    throw err;
  }
  return client;
}

async function signLogoutToken(client, sub, sid) {
  // Same construction as oidc-provider's Client#backchannelLogout, except that
  // `sid` is included whenever it is given.
  const token = new provider.IdToken(sub ? { sub } : {}, { client, ctx: undefined });
  token.mask = { sub: null };
  token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
  token.set('jti', crypto.randomUUID());
  if (sid) token.set('sid', sid);
  return token.issue({ use: 'logout' });
}

async function handleAdmin(req, res, url) {
  if (req.method === 'POST' && url.pathname === '/test/backchannel-logout') {
    const body = await readJson(req);
    const client = await findClient(body.client_id);
    if (!client.backchannelLogoutUri) {
      sendJson(res, 400, { error: `client ${client.clientId} has no backchannel_logout_uri` });
      return;
    }
    const record = { status: null, logout_token: null };
    let error = null;
    await outgoing.run(record, async () => {
      try {
        await client.backchannelLogout(body.sub, body.sid);
      } catch (err) {
        if (err.response) record.status = err.response.status;
        error = err.cause ? `${err.message}: ${err.cause.message || err.cause}` : err.message;
      }
    });
    sendJson(res, 200, { status: record.status, logout_token: record.logout_token, error });
    return;
  }

  if (req.method === 'GET' && url.pathname === '/test/logout-token') {
    const q = url.searchParams;
    const client = await findClient(q.get('client_id'));
    const sub = q.get('sub') || undefined;
    const sid = q.get('sid') || undefined;
    if (!sub && !sid) {
      sendJson(res, 400, { error: 'sub and/or sid required' });
      return;
    }
    sendJson(res, 200, { logout_token: await signLogoutToken(client, sub, sid) });
    return;
  }

  if (req.method === 'POST' && url.pathname === '/test/sign') {
    // Sign arbitrary claims with the OP's key (crafting invalid tokens).
    const body = await readJson(req);
    const header = { alg: 'RS256', kid: signingJwk.kid, typ: 'JWT', ...(body.header || {}) };
    const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(body.payload || {})))
      .setProtectedHeader(header)
      .sign(privateKey);
    sendJson(res, 200, { jwt });
    return;
  }

  sendJson(res, 404, { error: 'no such test route' });
}

// --- HTTP server --------------------------------------------------------------
const providerCallback = provider.callback();

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/interaction/')) {
      await handleInteraction(req, res);
    } else if (url.pathname.startsWith('/test/')) {
      await handleAdmin(req, res, url);
    } else {
      providerCallback(req, res);
    }
  } catch (err) {
    console.error(`${req.method} ${url.pathname}: ${err.stack || err}`);
    if (res.headersSent) {
      res.end();
    } else {
      sendJson(res, err.status || err.statusCode || 500, { error: err.name || 'error', error_description: err.message });
    }
  }
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// When started with a pipe on stdin (as harness.py does), exit as soon as the
// parent closes it / dies, so no orphaned provider survives a crashed test run.
// (stdin being /dev/null or a TTY is ignored.)
let stdinIsPipe = false;
try { stdinIsPipe = fs.fstatSync(0).isFIFO(); } catch { /* no stdin */ }
if (stdinIsPipe) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}

process.stdout.write(`READY ${issuer}\n`);
