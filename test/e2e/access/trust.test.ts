import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeAws } from '../../fake-aws/fake-aws';
import { LocalIssuer } from '../../fake-issuer/local-issuer';
import { startServer, textOf, type RunningServer } from '../harness';
import { installBillingData, visibleAccounts } from './billing-data';

/*
 * Whose claims are believed: a token is read only when the server verified it or the deployment declares that an
 * authorizer in front did (AUTH_TRUSTED_UPSTREAM=true, as the CDK app sets on AgentCore).
 */

const POLICY = JSON.stringify({ 'team-a': ['222222222222'] });
const issuer = new LocalIssuer();
const fake = new FakeAws();
const servers: RunningServer[] = [];

beforeAll(async () => {
  await issuer.start();
  await fake.start();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await fake.stop();
  await issuer.stop();
});

async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer(fake, { ALLOWED_TARGET_ACCOUNTS: '*', ...env });
  servers.push(server);
  return server;
}

async function call(server: RunningServer, token: string | undefined, args: Record<string, unknown>) {
  const client = new Client({ name: 'trust-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
    }),
  );
  try {
    return (await client.callTool({ name: 'get-cost-and-usage', arguments: args })) as CallToolResult;
  } finally {
    await client.close();
  }
}

async function auditLine(server: RunningServer, marker: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100 && !server.stderr().includes(marker); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const lines = server
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"msg":"tool call"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return lines[lines.length - 1];
}

test('a policy with neither verification nor declared trust refuses to start, saying why', async () => {
  await expect(startServer(fake, { ACCESS_POLICY: POLICY })).rejects.toThrow(
    /server exited with 2:[\s\S]*ACCESS_POLICY is set but no bearer token is verified/,
  );
});

test('behind a declared verifying authorizer, the token is read without verifying it again', async () => {
  fake.reset();
  installBillingData(fake);
  const server = await start({ ACCESS_POLICY: POLICY, AUTH_TRUSTED_UPSTREAM: 'true' });
  // Signed with a key the issuer does not publish: only an authorizer in front could have checked it.
  const token = issuer.mintUser({ username: 'bob', groups: ['team-a'], foreignKey: true });
  const result = await call(server, token, { period: 'last_month' });
  expect(result.isError).toBeFalsy();
  expect(visibleAccounts(fake.callsTo('ce:GetCostAndUsage')[0].body.Filter as never)).toEqual([
    '222222222222',
  ]);
});

test('with a policy, a request that carries no token gets no data (initialize still works)', async () => {
  fake.reset();
  installBillingData(fake);
  const server = await start({ ACCESS_POLICY: POLICY, AUTH_TRUSTED_UPSTREAM: 'true' });
  const result = await call(server, undefined, { period: 'last_month' });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/carries no verified caller identity/);
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
});

test('the groups claim can be renamed (AUTH_GROUPS_CLAIM), as a federated pool’s copied IdP groups', async () => {
  fake.reset();
  installBillingData(fake);
  const server = await start({
    ACCESS_POLICY: POLICY,
    AUTH_TRUSTED_UPSTREAM: 'true',
    AUTH_GROUPS_CLAIM: 'idp_groups',
  });
  // A SAML multi-valued attribute arrives as one "[a, b]" string.
  const token = issuer.mint({
    clientId: 'quick-users',
    claims: { username: 'corp_bob', 'cognito:groups': ['corp_IdP'], idp_groups: '[team-a, other]' },
  });
  const result = await call(server, token, { period: 'last_month' });
  expect(result.isError).toBeFalsy();
  expect(textOf(result)).toContain('access policy groups: team-a');
});

test('without verification or declared trust, a token’s claims are never believed', async () => {
  fake.reset();
  installBillingData(fake);
  const server = await start({});
  const forged = issuer.mintUser({ username: 'mallory', groups: ['finance'], foreignKey: true });
  const result = await call(server, forged, { period: 'last_month' });
  expect(result.isError).toBeFalsy();
  const line = await auditLine(server, '"tool":"get-cost-and-usage"');
  expect(line).toMatchObject({ username: null, sub: null, callerKind: null, groups: [] });
  expect(server.stderr()).not.toContain('mallory');
});

test('without in-server verification there is no protected resource metadata to offer (404)', async () => {
  const server = await start({ ACCESS_POLICY: POLICY, AUTH_TRUSTED_UPSTREAM: 'true' });
  const answer = await fetch(`${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp`);
  expect(answer.status).toBe(404);
});
