import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FakeAws } from '../fake-aws/fake-aws';
import { LocalIssuer } from '../fake-issuer/local-issuer';
import { post } from '../fuzz/rpc';
import { startServer, textOf, type RunningServer } from './harness';

/*
 * The optional in-server JWT verification (AUTH_DISCOVERY_URL + AUTH_ALLOWED_CLIENTS + AUTH_REQUIRED_SCOPE), against
 * a local issuer that publishes its keys through OpenID discovery, as a Cognito user pool does.
 */

const SCOPE = 'billing-mcp/invoke';
const issuer = new LocalIssuer();
const fake = new FakeAws();
let server: RunningServer;
const tokensUsed: string[] = [];

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'auth-test', version: '1' },
  },
};

beforeAll(async () => {
  await issuer.start();
  await fake.start();
  fake.fallback = () => ({});
  server = await startServer(fake, {
    AUTH_DISCOVERY_URL: issuer.discoveryUrl,
    AUTH_ALLOWED_CLIENTS: 'quick-client, ops-client',
    AUTH_REQUIRED_SCOPE: SCOPE,
  });
});

afterAll(async () => {
  await server?.stop();
  await fake.stop();
  await issuer.stop();
});

/** The RFC 9728 pointer every challenge ends with. */
const metadataParam = () =>
  `, resource_metadata="${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp"`;

/** initialize over raw HTTP with the given Authorization header (none when undefined). */
function initializeWith(authorization: string | undefined) {
  if (authorization) tokensUsed.push(authorization);
  return post(server.url, INITIALIZE, {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(authorization ? { authorization } : {}),
    },
  });
}

test('a valid client-credentials token from the issuer can list and call tools', async () => {
  const token = issuer.mint({ clientId: 'quick-client' });
  tokensUsed.push(token);
  const client = new Client({ name: 'auth-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const result = await client.callTool({ name: 'get-cost-and-usage', arguments: { period: 'last_month' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('for account 111111111111');
  } finally {
    await client.close();
  }
});

test('every allowed client is accepted', async () => {
  const answer = await initializeWith(`Bearer ${issuer.mint({ clientId: 'ops-client' })}`);
  expect(answer.status).toBe(200);
  expect(answer.json.result.serverInfo.name).toBe('billing-mcp');
});

test('no token: 401 with a bare Bearer challenge and a JSON-RPC error', async () => {
  const answer = await initializeWith(undefined);
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe(`Bearer realm="billing-mcp"${metadataParam()}`);
  expect(answer.json).toEqual({
    jsonrpc: '2.0',
    id: null,
    error: {
      code: -32001,
      message: 'Unauthorized: send Authorization: Bearer <access token>.',
    },
  });
});

test.each([
  ['another scheme', 'Basic cXVpY2stY2xpZW50OnNlY3JldA=='],
  ['an empty bearer', 'Bearer '],
  ['two values', 'Bearer a b'],
])('a malformed Authorization header (%s) is refused with invalid_token', async (_label, header) => {
  const answer = await initializeWith(header);
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toMatch(
    /^Bearer realm="billing-mcp", error="invalid_token"/,
  );
});

test('an expired token: 401 invalid_token saying it expired', async () => {
  const answer = await initializeWith(`Bearer ${issuer.mint({ clientId: 'quick-client', expiresIn: -60 })}`);
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe(
    'Bearer realm="billing-mcp", error="invalid_token", error_description="the access token has expired; get a new one from the token URL."' +
      metadataParam(),
  );
});

test('a client that is not allowed: 401 naming the client', async () => {
  const answer = await initializeWith(`Bearer ${issuer.mint({ clientId: 'intruder' })}`);
  expect(answer.status).toBe(401);
  expect(answer.json.error.message).toBe('Unauthorized: client intruder is not in AUTH_ALLOWED_CLIENTS.');
});

test('a token without the required scope: 403 insufficient_scope naming the scope', async () => {
  const answer = await initializeWith(
    `Bearer ${issuer.mint({ clientId: 'quick-client', scope: 'billing-mcp/read' })}`,
  );
  expect(answer.status).toBe(403);
  expect(answer.headers.get('www-authenticate')).toBe(
    `Bearer realm="billing-mcp", error="insufficient_scope", error_description="the token lacks the scope ${SCOPE}.", scope="${SCOPE}"${metadataParam()}`,
  );
});

test('a token signed with a key the issuer does not publish: 401 bad signature', async () => {
  const answer = await initializeWith(
    `Bearer ${issuer.mint({ clientId: 'quick-client', foreignKey: true })}`,
  );
  expect(answer.status).toBe(401);
  expect(answer.json.error.message).toBe(
    'Unauthorized: the token signature does not verify against the issuer keys.',
  );
});

test('a token with an unknown key id, a tampered payload, another issuer or alg "none" is refused', async () => {
  const unknownKid = await initializeWith(`Bearer ${issuer.mint({ clientId: 'quick-client', kid: 'nope' })}`);
  expect(unknownKid.json.error.message).toBe(
    'Unauthorized: the token was not signed by a key the issuer publishes.',
  );

  const [h, p, s] = issuer.mint({ clientId: 'intruder' }).split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, client_id: 'quick-client' })).toString('base64url')}.${s}`;
  expect((await initializeWith(`Bearer ${tampered}`)).status).toBe(401);

  const otherIssuer = await initializeWith(
    `Bearer ${issuer.mint({ clientId: 'quick-client', issuer: 'https://evil.example/pool' })}`,
  );
  expect(otherIssuer.json.error.message).toBe(
    'Unauthorized: the token comes from another issuer than AUTH_DISCOVERY_URL names.',
  );

  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
  expect((await initializeWith(`Bearer ${none}`)).status).toBe(401);
});

test('an ID token (token_use id) is refused even from an allowed client', async () => {
  const answer = await initializeWith(
    `Bearer ${issuer.mint({ clientId: 'quick-client', claims: { token_use: 'id' } })}`,
  );
  expect(answer.status).toBe(401);
  expect(answer.json.error.message).toBe('Unauthorized: the token is not an access token.');
});

test('GET /ping stays open without a token', async () => {
  const res = await fetch(server.url.replace(/\/mcp$/, '/ping'));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'Healthy' });
});

test('tokens never reach the log', () => {
  const log = server.stderr();
  expect(log).toMatch(/"msg":"bearer token refused"/);
  for (const token of tokensUsed) {
    const jwt = token.replace(/^Bearer /, '');
    if (jwt.length > 20) expect(log).not.toContain(jwt);
  }
});

describe('when the issuer cannot be reached', () => {
  let unreachable: RunningServer;
  beforeAll(async () => {
    unreachable = await startServer(fake, {
      // Nothing listens on port 9 of the loopback interface.
      AUTH_DISCOVERY_URL: 'http://127.0.0.1:9/pool/.well-known/openid-configuration',
      AUTH_ALLOWED_CLIENTS: 'quick-client',
    });
  });
  afterAll(() => unreachable?.stop());

  test('answers 503 with Retry-After rather than blaming the token', async () => {
    const answer = await post(unreachable.url, INITIALIZE, {
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${issuer.mint({ clientId: 'quick-client' })}`,
      },
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(answer.json.error.message).toBe(
      'The server cannot reach its token issuer to verify the bearer token; try again shortly.',
    );
  });
});

describe('configuration', () => {
  test('refuses to start with a discovery URL but no allowed clients', async () => {
    await expect(startServer(fake, { AUTH_DISCOVERY_URL: issuer.discoveryUrl })).rejects.toThrow(
      /AUTH_DISCOVERY_URL is set but AUTH_ALLOWED_CLIENTS is empty/,
    );
  });

  test('refuses a plain-http discovery URL that is not on this machine', async () => {
    await expect(
      startServer(fake, {
        AUTH_DISCOVERY_URL: 'http://issuer.example/.well-known/openid-configuration',
        AUTH_ALLOWED_CLIENTS: 'quick-client',
      }),
    ).rejects.toThrow(/AUTH_DISCOVERY_URL must be an https URL \(http only on localhost\)/);
  });
});
