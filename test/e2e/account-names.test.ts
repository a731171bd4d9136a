import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeAws, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { callerAccount, FakeOrganization, type FakeOrgAccount } from '../fake-aws/fake-organizations';
import { LocalIssuer } from '../fake-issuer/local-issuer';
import { installBillingData, visibleAccounts } from './access/billing-data';
import { startServer, textOf, useServer, type RunningServer } from './harness';

// Issue 13, item 1: account names wherever an account id is accepted (target_account_id, target_account_ids,
// LINKED_ACCOUNT filter values), resolved before the target checks and before any paid request; answers name
// the accounts they show.

const ACCOUNTS: FakeOrgAccount[] = [
  { id: OWN_ACCOUNT, name: 'management', email: 'root@corp.example.com' },
  { id: '222222222222', name: 'prod', email: 'prod@corp.example.com' },
  { id: '333333333333', name: 'sandbox', email: 'a@corp.example.com' },
  { id: '444444444444', name: 'sandbox', email: 'b@corp.example.com' },
  { id: '555555555555', name: 'Data', email: 'c@corp.example.com' },
  { id: '666666666666', name: 'data', email: 'd@corp.example.com' },
];
const organization = new FakeOrganization({ managementAccount: OWN_ACCOUNT, accounts: ACCOUNTS });

function install(fake: FakeAws): void {
  fake.reset();
  installBillingData(fake);
  organization.install(fake);
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

describe('an unrestricted caller, names from Organizations', () => {
  const { fake, client } = useServer({
    ALLOWED_TARGET_ACCOUNTS: '222222222222,333333333333,444444444444,555555555555,666666666666',
  });
  beforeEach(() => install(fake));

  test('a target_account_id given as an id reads no directory and shows no name it has not learnt', async () => {
    const { result, text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: '222222222222',
    });
    expect(result.isError).toBeFalsy();
    expect(fake.calls.filter((c) => c.service === 'organizations')).toEqual([]);
    expect(text).toContain('for account 222222222222,');
  });

  test('a name resolves exactly or ignoring case; the account is named in the heading', async () => {
    for (const name of ['prod', 'PROD', ' Prod ']) {
      fake.calls.length = 0;
      const { result, data, text } = await call(client(), 'get-cost-and-usage', {
        period: 'last_month',
        target_account_id: name,
        refresh: true,
      });
      expect(result.isError).toBeFalsy();
      expect(data.account_id).toBe('222222222222');
      expect(text).toContain('**UnblendedCost for account prod (222222222222), 2026-10-01 to 2026-11-01');
      expect(fake.callsTo('ce:GetCostAndUsage').map(callerAccount)).toEqual(['222222222222']);
    }
  });

  test('once learnt, a name labels the account even where it was given by id', async () => {
    fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
    await call(client(), 'list-accounts', {});
    const { text } = await call(client(), 'get-budgets', { target_account_id: '333333333333' });
    expect(text).toContain('**Account sandbox (333333333333) has no AWS Budgets.**');
  });

  test('an exact match wins over a match ignoring case', async () => {
    const { data } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'data',
    });
    expect(data.account_id).toBe('666666666666');
  });

  test.each([
    ['sandbox', '"sandbox" names 2 accounts: sandbox (333333333333), sandbox (444444444444)'],
    ['DATA', '"DATA" names 2 accounts: Data (555555555555), data (666666666666)'],
  ])(
    'an ambiguous name (%s) is refused with its candidates, before any AWS request of the tool',
    async (name, why) => {
      const { result, text } = await call(client(), 'get-cost-and-usage', {
        period: 'last_month',
        target_account_id: name,
      });
      expect(result.isError).toBe(true);
      expect(text).toBe(`target_account_id: ${why}. Pass the account id instead.`);
      expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
      expect(fake.callsTo('sts:AssumeRole')).toHaveLength(0);
    },
  );

  test('an unknown name is refused, saying how to find the names', async () => {
    const { result, text } = await call(client(), 'get-budgets', { target_account_id: 'staging' });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      'target_account_id: no account is named "staging" (names from AWS Organizations). Call list-accounts for ' +
        'the names and ids, or pass a 12-digit account id.',
    );
    expect(fake.callsTo('budgets:DescribeBudgets')).toHaveLength(0);
  });

  test('fan-out: names in target_account_ids; sections and summary rows show name (id)', async () => {
    const { result, data, text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_ids: ['Prod', '555555555555'],
    });
    expect(result.isError).toBeFalsy();
    expect(data.accounts.map((a: any) => a.account_id)).toEqual(['222222222222', '555555555555']);
    expect(text).toContain('| prod (222222222222) |');
    expect(text).toContain('| Data (555555555555) |');
    expect(text).toContain(
      '### Account prod (222222222222)\n**UnblendedCost for account prod (222222222222)',
    );
    expect(text).toContain('### Account Data (555555555555)');
  });

  test('fan-out: a name that matches several accounts is refused, naming its place in the list', async () => {
    const { result, text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_ids: ['prod', 'sandbox'],
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^target_account_ids\[1\]: "sandbox" names 2 accounts/);
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
  });

  test('a name in target_account_id joins the fan-out list as its id, asked once', async () => {
    const { data } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'prod',
      target_account_ids: ['222222222222', '333333333333'],
    });
    expect(data.accounts.map((a: any) => a.account_id)).toEqual(['222222222222', '333333333333']);
  });

  test('LINKED_ACCOUNT filter values accept names; Cost Explorer gets the ids', async () => {
    const { result } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      refresh: true,
      filters: [
        { type: 'DIMENSION', key: 'SERVICE', values: ['Amazon Elastic Compute Cloud - Compute'] },
        { type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: ['prod', 'Data'] },
      ],
    });
    expect(result.isError).toBeFalsy();
    const [request] = fake.callsTo('ce:GetCostAndUsage');
    expect(JSON.stringify(request.body.Filter)).toContain('["222222222222","555555555555"]');
    expect(visibleAccounts(request.body.Filter as never)).toEqual(['222222222222', '555555555555']);
  });

  test('an unknown name in a LINKED_ACCOUNT filter is refused, naming the value', async () => {
    const { result, text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      filters: [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: ['prod', 'nope'] }],
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^filters\[0\]\.values\[1\]: no account is named "nope"/);
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
  });

  test('other dimensions are never treated as account names', async () => {
    const { result } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      filters: [{ type: 'DIMENSION', key: 'SERVICE', values: ['prod'] }],
    });
    expect(result.isError).toBeFalsy();
    expect(fake.calls.filter((c) => c.service === 'organizations')).toEqual([]);
  });

  test('a cost-data tool takes names too', async () => {
    const { text } = await call(client(), 'query-cost-data', { target_account_id: 'nope' });
    expect(text).toMatch(/^target_account_id: no account is named "nope"/);
  });

  test('an over-long name is refused by the schema, naming the parameter', async () => {
    const { result, text } = await call(client(), 'get-budgets', { target_account_id: 'x'.repeat(51) });
    expect(result.isError).toBe(true);
    expect(text).toContain('target_account_id: an account id has 12 digits, a name at most 50 characters');
    expect(fake.calls.filter((c) => c.service === 'organizations')).toEqual([]);
  });
});

describe('names from Cost Explorer, and none at all', () => {
  const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: '222222222222', CACHE_TTL_SECONDS: '0' });
  beforeEach(() => {
    install(fake);
    // The server's account is in no organization.
    new FakeOrganization({ managementAccount: '999999999999', accounts: [] }).install(fake);
  });

  test('a Cost Explorer name resolves: one paid request for the names, then the tool', async () => {
    fake.on('ce:GetDimensionValues', () => ({
      DimensionValues: [{ Value: '222222222222', Attributes: { description: 'prod-ce' } }],
    }));
    const { result, data, text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'Prod-CE',
    });
    expect(result.isError).toBeFalsy();
    expect(data.account_id).toBe('222222222222');
    expect(text).toContain('for account prod-ce (222222222222)');
    expect(data.api.paid_requests).toBe(2);
  });

  test('with no names anywhere, a name is refused saying so', async () => {
    fake.on('ce:GetDimensionValues', () => ({
      DimensionValues: [{ Value: '222222222222', Attributes: {} }],
    }));
    const { result, text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'prod',
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      /^target_account_id: "prod" is not a 12-digit account id, and this server knows no account names/,
    );
    expect(text).toContain('ACCOUNT_NAMES is not set.');
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
  });
});

describe('names from ACCOUNT_NAMES', () => {
  const { fake, client } = useServer({
    ALLOWED_TARGET_ACCOUNTS: '222222222222',
    ACCOUNT_NAMES: JSON.stringify({ '222222222222': 'prod-conf' }),
  });
  beforeEach(() => install(fake));

  test('label answers from the start, with no request of their own', async () => {
    const { text } = await call(client(), 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: '222222222222',
    });
    expect(text).toContain('for account prod-conf (222222222222)');
    expect(
      fake.calls.filter((c) => c.service === 'organizations' || c.key === 'ce:GetDimensionValues'),
    ).toEqual([]);
  });
});

describe('a caller with a restricted scope', () => {
  const POLICY = { finance: '*', 'team-a': ['222222222222', '333333333333'] };
  const issuer = new LocalIssuer();
  const fake = new FakeAws();
  let server: RunningServer;

  beforeAll(async () => {
    await issuer.start();
    await fake.start();
    server = await startServer(fake, {
      AUTH_DISCOVERY_URL: issuer.discoveryUrl,
      AUTH_ALLOWED_CLIENTS: 'quick-users',
      ALLOWED_TARGET_ACCOUNTS: '*',
      ACCESS_POLICY: JSON.stringify(POLICY),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await fake.stop();
    await issuer.stop();
  });
  beforeEach(() => install(fake));

  async function callAs(groups: string[], name: string, args: Record<string, unknown>) {
    const client = new Client({ name: 'names-test', version: '1' });
    const token = issuer.mintUser({ username: 'u', groups });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      return await call(client, name, args);
    } finally {
      await client.close();
    }
  }

  test('list-accounts shows only the accounts of the scope', async () => {
    const scoped = await callAs(['team-a'], 'list-accounts', {});
    expect(scoped.data.accounts.map((a: any) => a.id)).toEqual(['222222222222', '333333333333']);
    expect(scoped.text).toContain('Restricted to your accounts (222222222222, 333333333333');
    expect(scoped.text).not.toContain('444444444444');
    // The control: the same list, unrestricted.
    const all = await callAs(['finance'], 'list-accounts', {});
    expect(all.data.accounts).toHaveLength(ACCOUNTS.length);
  });

  test('a name outside the scope is refused without its id', async () => {
    const { result, text } = await callAs(['team-a'], 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'data',
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      'Refused: target_account_id "data" is an account outside your access, which is limited to accounts ' +
        '222222222222, 333333333333 (groups: team-a).',
    );
    expect(text).not.toContain('666666666666');
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
  });

  test('an ambiguous name lists only the candidates within the scope', async () => {
    const { result, text } = await callAs(['team-a'], 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'sandbox',
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      'target_account_id: "sandbox" names 2 accounts: sandbox (333333333333), 1 outside your access. Pass the ' +
        'account id instead.',
    );
    const all = await callAs(['finance'], 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'sandbox',
    });
    expect(all.text).toContain('sandbox (444444444444)');
  });

  test('a name within the scope works', async () => {
    const { result, data } = await callAs(['team-a'], 'get-cost-and-usage', {
      period: 'last_month',
      target_account_id: 'prod',
    });
    expect(result.isError).toBeFalsy();
    expect(data.account_id).toBe('222222222222');
  });
});
