import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeAws } from '../../fake-aws/fake-aws';
import { LocalIssuer } from '../../fake-issuer/local-issuer';
import { startServer, textOf, type RunningServer } from '../harness';
import { installBillingData, LINKED_AMOUNTS, visibleAccounts } from './billing-data';

/*
 * ACCESS_POLICY enforced end to end: tokens from the local issuer for users in different groups, the bundled
 * server verifying them, and a management account's Cost Explorer (the fake) that answers what it is asked.
 */

const POLICY = {
  finance: '*',
  'team-a': ['222222222222'],
  'team-b': ['333333333333', '444444444444'],
  '@service': ['555555555555'],
};
const issuer = new LocalIssuer();
const fake = new FakeAws();
let server: RunningServer;
const tokens: string[] = [];

beforeAll(async () => {
  await issuer.start();
  await fake.start();
  installBillingData(fake);
  server = await startServer(fake, {
    AUTH_DISCOVERY_URL: issuer.discoveryUrl,
    AUTH_ALLOWED_CLIENTS: 'quick-client,quick-users',
    ALLOWED_TARGET_ACCOUNTS: '*',
    ACCESS_POLICY: JSON.stringify(POLICY),
  });
});

afterAll(async () => {
  await server?.stop();
  await fake.stop();
  await issuer.stop();
});

async function clientWith(token: string): Promise<Client> {
  tokens.push(token);
  const client = new Client({ name: 'access-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

async function callAs(token: string, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const client = await clientWith(token);
  try {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  } finally {
    await client.close();
  }
}

const user = (username: string, ...groups: string[]) => issuer.mintUser({ username, groups });
const BY_ACCOUNT = { period: 'last_month', group_by: [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT' }] };

/** Accounts (and their amounts) an answer mentions. */
function mentioned(result: CallToolResult): string[] {
  const text = JSON.stringify(result);
  return Object.entries(LINKED_AMOUNTS)
    .filter(([account, amount]) => text.includes(account) || text.includes(amount))
    .map(([account]) => account);
}

test('a scoped user gets only their account: the filter reaches Cost Explorer and the answer says so', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(user('bob', 'team-a'), 'get-cost-and-usage', { ...BY_ACCOUNT, refresh: true });
  expect(result.isError).toBeFalsy();
  const [request] = fake.callsTo('ce:GetCostAndUsage');
  expect(visibleAccounts(request.body.Filter as never)).toEqual(['222222222222']);
  expect(mentioned(result)).toEqual(['222222222222']);
  expect(textOf(result)).toContain(
    'Restricted to your accounts (222222222222; access policy groups: team-a)',
  );
});

test('a user whose groups include "*" sees every account, with no clause added', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(user('alice', 'finance', 'team-a'), 'get-cost-and-usage', BY_ACCOUNT);
  expect(result.isError).toBeFalsy();
  expect(JSON.stringify(fake.callsTo('ce:GetCostAndUsage')[0].body.Filter ?? {})).not.toContain(
    'LINKED_ACCOUNT',
  );
  expect(mentioned(result).sort()).toEqual(Object.keys(LINKED_AMOUNTS).sort());
  expect(textOf(result)).not.toContain('Restricted to your accounts');
});

test('an account outside the scope is refused, naming the scope, before any AWS request', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(user('bob', 'team-a'), 'get-cost-and-usage', {
    period: 'last_month',
    target_account_id: '333333333333',
  });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toBe(
    'Refused: account 333333333333 is outside your access, which is limited to accounts 222222222222 (groups: team-a).',
  );
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
  expect(fake.callsTo('sts:AssumeRole')).toHaveLength(0);
});

test('a fan-out over accounts partly outside the scope is refused as a whole', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(user('carol', 'team-b'), 'get-cost-and-usage', {
    period: 'last_month',
    target_account_ids: ['333333333333', '222222222222'],
  });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain('account 222222222222 is outside your access');
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
});

test('a user in none of the policy groups gets nothing, and is told why', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(user('dave', 'marketing'), 'get-cost-and-usage', BY_ACCOUNT);
  expect(result.isError).toBe(true);
  expect(textOf(result)).toBe(
    "No access: user dave is in none of the groups this server's access policy lists (your groups: marketing; " +
      'policy groups: finance, team-a, team-b). Ask your administrator to add you to one of them.',
  );
  expect(fake.calls.filter((c) => c.service !== 'sts')).toHaveLength(0);
});

test('the service (client-credentials) identity gets the @service scope', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(issuer.mint({ clientId: 'quick-client' }), 'get-cost-and-usage', BY_ACCOUNT);
  expect(result.isError).toBeFalsy();
  expect(mentioned(result)).toEqual(['555555555555']);
});

test('answers are never shared between scopes: the second scope asks Cost Explorer itself', async () => {
  fake.reset();
  installBillingData(fake);
  const args = { period: 'last_month', group_by: [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT' }] };
  const first = await callAs(user('bob', 'team-a'), 'get-cost-and-usage', args);
  const again = await callAs(user('bob2', 'team-a'), 'get-cost-and-usage', args);
  const other = await callAs(user('carol', 'team-b'), 'get-cost-and-usage', args);
  expect(mentioned(first)).toEqual(['222222222222']);
  // The same scope may share the cached answer...
  expect(mentioned(again)).toEqual(['222222222222']);
  // ...another scope never gets it.
  expect(mentioned(other).sort()).toEqual(['333333333333', '444444444444']);
  const scopes = fake
    .callsTo('ce:GetCostAndUsage')
    .map((c) => visibleAccounts(c.body.Filter as never).join(','));
  expect(scopes).toContain('333333333333,444444444444');
});

test('a tool whose data cannot be restricted is refused for a scoped user, with the reason', async () => {
  fake.reset();
  installBillingData(fake);
  const result = await callAs(user('bob', 'team-a'), 'list-billing-groups', {});
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(
    /^Refused: list-billing-groups is not available to you: Billing Conductor data/,
  );
  expect(fake.calls.filter((c) => c.service === 'billingconductor')).toHaveLength(0);
});

test('account data that cannot be filtered is served only for an account in the scope', async () => {
  fake.reset();
  installBillingData(fake);
  fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
  // The server's own (management) account is not in team-a's scope: its budgets may cover the organization.
  const own = await callAs(user('bob', 'team-a'), 'get-budgets', {});
  expect(own.isError).toBe(true);
  expect(textOf(own)).toContain('budgets:DescribeBudgets in account 111111111111');
  const member = await callAs(user('bob', 'team-a'), 'get-budgets', { target_account_id: '222222222222' });
  expect(member.isError).toBeFalsy();
  expect(fake.callsTo('budgets:DescribeBudgets').map((c) => c.accessKeyId)).toEqual(['ASIA222222222222']);
});

test('every tool call leaves one audit line: who, tool, scope, accounts, outcome; never the token', async () => {
  await callAs(user('erin', 'team-b'), 'get-cost-and-usage', { period: 'last_month' });
  await callAs(user('frank', 'marketing'), 'get-cost-and-usage', { period: 'last_month' });
  // Log lines are written once per event-loop turn, so the line may follow the answer by a moment.
  for (let i = 0; i < 100 && !server.stderr().includes('"username":"frank"'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const lines = server
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"msg":"tool call"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const erin = lines.filter((l) => l.username === 'erin');
  expect(erin).toHaveLength(1);
  expect(erin[0]).toMatchObject({
    tool: 'get-cost-and-usage',
    outcome: 'ok',
    callerKind: 'user',
    sub: 'sub-erin',
    clientId: 'quick-users',
    groups: ['team-b'],
    scope: ['333333333333', '444444444444'],
    scopeGrantedBy: ['team-b'],
    accounts: ['111111111111'],
  });
  expect(typeof erin[0].paidRequests).toBe('number');
  expect(lines.find((l) => l.username === 'frank')).toMatchObject({
    outcome: 'refused',
    scope: null,
    accounts: [],
  });
  for (const token of tokens) expect(server.stderr()).not.toContain(token.split('.')[2]);
});

test('RFC 9728: the protected resource metadata names the issuer, and challenges point to it', async () => {
  const origin = new URL(server.url).origin;
  const metadata = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
  expect(metadata.status).toBe(200);
  expect(await metadata.json()).toEqual({
    resource: `${origin}/mcp`,
    authorization_servers: [issuer.issuer],
    scopes_supported: [],
    bearer_methods_supported: ['header'],
  });
  const denied = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(denied.status).toBe(401);
  expect(denied.headers.get('www-authenticate')).toContain(
    `resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
  );
});
