import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeAws, OWN_ACCOUNT, type RecordedCall } from '../fake-aws/fake-aws';
import { callerAccount, installOrganization, type OrganizationSpec } from '../fake-aws/org-ledger';
import { LocalIssuer } from '../fake-issuer/local-issuer';
import { accountCosts } from '../fixtures/organization';
import { startServer, textOf, type RunningServer } from './harness';

/*
 * Where the payer is and who asks: the server running in a member account, reaching the payer through the payer's
 * member role; a PAYER_ACCOUNT_ID that is not the management account; a server outside any organization; and scoped
 * callers (ACCESS_POLICY), whose scope is enforced before any request and travels with the payer's requests.
 */

const PAYER = '999999999999';
const DELEGATED_ADMIN = '333333333333';
const MEMBERS = [OWN_ACCOUNT, '222222222222', DELEGATED_ADMIN, '444444444444'];
const SPEC: OrganizationSpec = {
  payer: PAYER,
  accounts: Object.fromEntries([PAYER, ...MEMBERS].map((a, i) => [a, accountCosts(i + 2)])),
  delegatedAdmins: [DELEGATED_ADMIN],
  monthlyDrift: '0.0000000001',
};
const POLICY = { finance: '*', 'team-b': ['222222222222', DELEGATED_ADMIN] };

const fake = new FakeAws();
const issuer = new LocalIssuer();
const servers: RunningServer[] = [];
const clients: Client[] = [];
let discovered: RunningServer;
let reference: RunningServer;
let delegated: RunningServer;
let scoped: RunningServer;

beforeAll(async () => {
  await Promise.all([fake.start(), issuer.start()]);
  installOrganization(fake, SPEC);
  const members = MEMBERS.filter((a) => a !== OWN_ACCOUNT);
  const auth = {
    AUTH_DISCOVERY_URL: issuer.discoveryUrl,
    AUTH_ALLOWED_CLIENTS: 'quick-users',
    ACCESS_POLICY: JSON.stringify(POLICY),
  };
  [discovered, reference, delegated, scoped] = await Promise.all([
    // The payer found through DescribeOrganization, queried through its member role.
    startServer(fake, { ALLOWED_TARGET_ACCOUNTS: [PAYER, ...members].join(',') }),
    // The payer out of reach: the fan-out, for reference.
    startServer(fake, { ALLOWED_TARGET_ACCOUNTS: members.join(',') }),
    startServer(fake, { ALLOWED_TARGET_ACCOUNTS: '*', PAYER_ACCOUNT_ID: DELEGATED_ADMIN }),
    startServer(fake, { ALLOWED_TARGET_ACCOUNTS: '*', PAYER_ACCOUNT_ID: PAYER, ...auth }),
  ]);
  servers.push(discovered, reference, delegated, scoped);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all([fake.stop(), issuer.stop()]);
});
beforeEach(() => {
  fake.reset();
  installOrganization(fake, SPEC);
});

type Data = Record<string, any>;

async function ask(server: RunningServer, args: Record<string, unknown>, token?: string) {
  const client = new Client({ name: 'payer-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      ...(token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
    }),
  );
  clients.push(client);
  const before = fake.calls.length;
  const result = (await client.callTool({
    name: 'get-cost-and-usage',
    arguments: { period: 'last_month', ...args },
  })) as CallToolResult;
  return {
    result,
    data: result.structuredContent as Data,
    text: textOf(result),
    calls: fake.calls.slice(before),
  };
}

const figures = (data: Data) => ({
  accounts: data.accounts.map((a: Data) => [a.account_id, a.total, a.answer]),
  combined_total: data.combined_total,
});
const costCalls = (calls: RecordedCall[]) => calls.filter((c) => c.key === 'ce:GetCostAndUsage');
const user = (username: string, ...groups: string[]) => issuer.mintUser({ username, groups });

test('a server in a member account asks the payer through its role, its own account included', async () => {
  const args = { target_account_ids: MEMBERS, refresh: true };
  const payer = await ask(discovered, args);
  const each = await ask(reference, args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(payer.data.route).toEqual({
    kind: 'payer',
    payer_account_id: PAYER,
    via_payer: MEMBERS,
    on_own: [],
    payer_paid_requests: 1,
  });
  expect(costCalls(payer.calls).map(callerAccount)).toEqual([PAYER]);
  expect(payer.calls.filter((c) => c.key === 'sts:AssumeRole').map((c) => c.body.RoleArn)).toEqual([
    `arn:aws:iam::${PAYER}:role/BillingMCPCrossAccountRole`,
  ]);
  expect(each.data.route.reason).toBe(
    `the payer account ${PAYER} is not among this server's allowed target accounts`,
  );
});

test('a PAYER_ACCOUNT_ID that is not the management account is not used as one', async () => {
  const { data } = await ask(delegated, {
    target_account_ids: ['222222222222', '444444444444'],
    refresh: true,
  });
  expect(data.route).toMatchObject({ kind: 'fan-out', on_own: ['222222222222', '444444444444'] });
  expect(data.route.reason).toBe(
    `PAYER_ACCOUNT_ID ${DELEGATED_ADMIN} is not its organization's management account (Organizations names ${PAYER})`,
  );
});

test("a scoped caller's payer requests carry the scope, and answer as the fan-out does", async () => {
  const accounts = ['222222222222', DELEGATED_ADMIN];
  const payer = await ask(scoped, { target_account_ids: accounts, refresh: true }, user('bob', 'team-b'));
  const each = await ask(reference, { target_account_ids: accounts, refresh: true });
  expect(payer.result.isError).toBeFalsy();
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(payer.data.route).toMatchObject({ kind: 'payer', via_payer: accounts });
  const [request] = costCalls(payer.calls);
  expect(callerAccount(request)).toBe(PAYER);
  expect(request.body.Filter).toMatchObject({
    And: [
      expect.anything(),
      { Dimensions: { Key: 'LINKED_ACCOUNT', Values: accounts, MatchOptions: ['EQUALS'] } },
    ],
  });
  expect(payer.text).toContain('Restricted to your accounts (222222222222, 333333333333');

  // Another scope's identical question is its own request: answers never cross scopes.
  const wide = await ask(scoped, { target_account_ids: accounts }, user('alice', 'finance'));
  expect(wide.data.api.cache_hits).toBe(0);
  expect(costCalls(wide.calls)).toHaveLength(1);
  // The same scope again: from the cache, nothing paid.
  const again = await ask(scoped, { target_account_ids: accounts }, user('bob', 'team-b'));
  expect(again.data.api.paid_requests).toBe(0);
  expect(figures(again.data)).toEqual(figures(payer.data));
});

test('a scoped caller asking for an account outside their scope is refused before any request', async () => {
  const { result, calls } = await ask(
    scoped,
    { target_account_ids: ['222222222222', '444444444444'] },
    user('bob', 'team-b'),
  );
  expect(result.isError).toBe(true);
  expect(textOf(result)).toBe(
    'Refused: account 444444444444 is outside your access, which is limited to accounts 222222222222, ' +
      '333333333333 (groups: team-b).',
  );
  expect(calls.filter((c) => c.service !== 'sts')).toEqual([]);
});

describe('a server outside any organization', () => {
  const alone = new FakeAws();
  let server: RunningServer;
  beforeAll(async () => {
    await alone.start();
    installOrganization(alone, {
      payer: PAYER,
      accounts: { [PAYER]: accountCosts(1), '222222222222': accountCosts(2) },
      outside: { '555555555555': accountCosts(5), '666666666666': accountCosts(6) },
    });
    server = await startServer(alone, { ALLOWED_TARGET_ACCOUNTS: '*' });
    servers.push(server);
  });
  afterAll(() => alone.stop());

  test('fans out, and says why the payer route was not taken', async () => {
    const client = await server.client();
    const result = (await client.callTool({
      name: 'get-cost-and-usage',
      arguments: { period: 'last_month', target_account_ids: ['555555555555', '666666666666'] },
    })) as CallToolResult;
    const data = result.structuredContent as Data;
    expect(data.route).toMatchObject({ kind: 'fan-out', on_own: ['555555555555', '666666666666'] });
    expect(data.route.reason).toBe(
      'no payer known: PAYER_ACCOUNT_ID is not set and Organizations did not name one (' +
        'organizations:DescribeOrganization failed in account 111111111111: AWSOrganizationsNotInUseException: ' +
        'Your account is not a member of an organization. To make this request, you must use the credentials of ' +
        'an account that belongs to an organization.)',
    );
    expect(data.combined_total.accounts).toBe(2);
    // Asked once per process: the next call does not ask Organizations again.
    await client.callTool({
      name: 'get-cost-and-usage',
      arguments: { period: 'month_to_date', target_account_ids: ['555555555555', '666666666666'] },
    });
    expect(alone.callsTo('organizations:DescribeOrganization')).toHaveLength(1);
  });
});
