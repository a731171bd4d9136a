import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { awsError, BASE_ACCESS_KEY, FakeAws, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { callerAccount, FakeOrganization, type FakeOrgAccount } from '../fake-aws/fake-organizations';
import { startServer, textOf, useServer } from './harness';
import { measureToolsList } from './tools-list-size';

// Issue 13, item 1: list-accounts from each source (Organizations in the own account, in the management account
// through its member role, Cost Explorer, ACCOUNT_NAMES), with the answer saying which one named the accounts.

const MANAGEMENT = '999999999999';

/** 25 accounts: two ListAccounts pages of 20 and 5. */
function organizationAccounts(management: string): FakeOrgAccount[] {
  return [
    { id: management, name: 'management', email: 'aws-root@corp.example.com' },
    { id: '222222222222', name: 'prod', email: 'prod-team@Corp.Example.com', parent: 'ou-prod' },
    { id: '333333333333', name: 'sandbox', email: 'lab@lab.example.org', parent: 'ou-sandbox' },
    { id: '444444444444', name: 'old', email: 'old@corp.example.com', state: 'SUSPENDED' },
    ...Array.from({ length: 21 }, (_, i) => ({
      id: `7000000000${String(i).padStart(2, '0')}`,
      name: `filler-${i}`,
      email: `filler${i}@corp.example.com`,
      parent: 'ou-sandbox',
    })),
  ];
}

const OUS = [
  { id: 'ou-workloads', name: 'Workloads' },
  { id: 'ou-prod', name: 'Prod', parent: 'ou-workloads' },
  { id: 'ou-sandbox', name: 'Sandbox' },
];

/**
 * A fresh fake with an organization the server's account can only describe, and Cost Explorer naming `names` of its
 * LINKED_ACCOUNT values (none by default).
 */
function installOrganizationSeenFromMember(
  fake: FakeAws,
  names: { Value: string; Attributes: Record<string, string> }[] = [],
): void {
  fake.reset();
  new FakeOrganization({
    managementAccount: MANAGEMENT,
    accounts: organizationAccounts(MANAGEMENT),
  }).install(fake);
  fake.on('ce:GetDimensionValues', () => ({
    DimensionValues: names,
    ReturnSize: names.length,
    TotalSize: names.length,
  }));
}

async function listAccounts(client: Client, args = {}) {
  const result = (await client.callTool({ name: 'list-accounts', arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

describe('from AWS Organizations, in the management account the server runs in', () => {
  const { fake, client, server } = useServer({ ALLOWED_TARGET_ACCOUNTS: '222222222222' });
  const organization = new FakeOrganization({
    managementAccount: OWN_ACCOUNT,
    accounts: organizationAccounts(OWN_ACCOUNT),
    ous: OUS,
  });
  beforeEach(() => {
    fake.reset();
    organization.install(fake);
  });

  test('lists every account, every page read, with name, email domain, status and OU path', async () => {
    const { result, data, text } = await listAccounts(client());
    expect(result.isError).toBeFalsy();
    expect(data.source).toBe('organizations');
    expect(data.accounts).toHaveLength(25);
    expect(data.accounts.slice(0, 4)).toEqual([
      {
        id: OWN_ACCOUNT,
        name: 'management',
        email_domain: 'corp.example.com',
        status: 'ACTIVE',
        ou_path: 'Root',
      },
      {
        id: '222222222222',
        name: 'prod',
        email_domain: 'corp.example.com',
        status: 'ACTIVE',
        ou_path: 'Root/Workloads/Prod',
      },
      {
        id: '333333333333',
        name: 'sandbox',
        email_domain: 'lab.example.org',
        status: 'ACTIVE',
        ou_path: 'Root/Sandbox',
      },
      {
        id: '444444444444',
        name: 'old',
        email_domain: 'corp.example.com',
        status: 'SUSPENDED',
        ou_path: 'Root',
      },
    ]);
    const pages = fake.callsTo('organizations:ListAccounts');
    expect(pages.map((c) => [c.body.MaxResults, c.body.NextToken === undefined])).toEqual([
      [20, true],
      [20, false],
    ]);
    expect(text).toContain('**25 accounts** (names from AWS Organizations, read in 111111111111).');
    expect(text).toContain('| 222222222222 | prod | corp.example.com | ACTIVE | Root/Workloads/Prod |');
    // Organizations is free: nothing paid, and the addresses themselves never reach the answer.
    expect(data.api.paid_requests).toBe(0);
    expect(JSON.stringify(result)).not.toMatch(/prod-team|aws-root|@/);
  });

  test('its tools/list entry stays under 1.5 KB', async () => {
    const size = await measureToolsList(server().url);
    const bytes = (name: string) => size.tools.find((t) => t.name === name)?.bytes ?? NaN;
    expect(bytes('list-accounts')).toBeLessThan(1536);
    // The control: the measurement does see a tool that is over it.
    expect(bytes('get-cost-and-usage')).toBeGreaterThan(1536);
  });

  test('looks each OU up once for all the accounts in it', async () => {
    await listAccounts(client(), { refresh: true });
    const described = fake
      .callsTo('organizations:DescribeOrganizationalUnit')
      .map((c) => c.body.OrganizationalUnitId);
    expect(described.sort()).toEqual(['ou-prod', 'ou-sandbox', 'ou-workloads']);
    // One ListParents per account and one per OU below the root.
    expect(fake.callsTo('organizations:ListParents')).toHaveLength(25 + 3);
  });

  test('search keeps the accounts whose name or id contains it, in any case', async () => {
    const { data, text } = await listAccounts(client(), { search: 'SAND' });
    expect(data.accounts.map((a: any) => a.id)).toEqual(['333333333333']);
    expect(text).toContain('**1 account matching "SAND"**');
    const byId = await listAccounts(client(), { search: '4444' });
    expect(byId.data.accounts.map((a: any) => a.name)).toEqual(['old']);
  });

  test('an OU lookup that is refused leaves the paths out and says so; the list stays', async () => {
    fake.on('organizations:ListParents', () =>
      awsError('AccessDeniedException', 'User is not authorized to perform: organizations:ListParents'),
    );
    const { result, data } = await listAccounts(client(), { refresh: true });
    expect(result.isError).toBeFalsy();
    expect(data.accounts).toHaveLength(25);
    expect(data.accounts.filter((a: any) => a.ou_path)).toEqual([]);
    expect(data.notes).toContain(
      'Some OU paths are missing: Organizations refused the lookup (access-denied).',
    );
  });
});

describe('from AWS Organizations, in the management account reached through its member role', () => {
  const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: `${MANAGEMENT},222222222222` });
  beforeEach(() => {
    fake.reset();
    // The server's own account is a member: it may describe the organization, not list it.
    new FakeOrganization({
      managementAccount: MANAGEMENT,
      accounts: [
        ...organizationAccounts(MANAGEMENT),
        { id: OWN_ACCOUNT, name: 'tools', email: 't@corp.example.com' },
      ],
      ous: OUS,
    }).install(fake);
  });

  test('finds the management account with DescribeOrganization and lists the organization there', async () => {
    const { result, data, text } = await listAccounts(client());
    expect(result.isError).toBeFalsy();
    expect(data.source).toBe('organizations');
    expect(data.accounts).toHaveLength(26);
    expect(fake.callsTo('organizations:ListAccounts').map(callerAccount)).toEqual([
      OWN_ACCOUNT,
      MANAGEMENT,
      MANAGEMENT,
    ]);
    expect(fake.callsTo('organizations:DescribeOrganization').map(callerAccount)).toEqual([OWN_ACCOUNT]);
    // OU paths are looked up where the list was read.
    expect(new Set(fake.callsTo('organizations:ListParents').map(callerAccount))).toEqual(
      new Set([MANAGEMENT]),
    );
    expect(data.accounts.find((a: any) => a.id === '222222222222').ou_path).toBe('Root/Workloads/Prod');
    expect(text).toContain('read in 999999999999');
  });

  test("where the member role may not list the organization, reads Cost Explorer's names in the management account", async () => {
    fake.on('organizations:ListAccounts', () =>
      awsError('AccessDeniedException', 'User is not authorized to perform: organizations:ListAccounts'),
    );
    fake.on('ce:GetDimensionValues', () => ({
      DimensionValues: [{ Value: '222222222222', Attributes: { description: 'prod-ce' } }],
    }));
    const { data } = await listAccounts(client(), { refresh: true });
    expect(data.source).toBe('cost-explorer');
    expect(fake.callsTo('ce:GetDimensionValues').map(callerAccount)).toEqual([MANAGEMENT]);
    expect(data.notes[0]).toBe(
      `AWS Organizations could not be read (in ${OWN_ACCOUNT}: access denied; in the management account ` +
        `${MANAGEMENT}: access denied).`,
    );
  });
});

describe('PAYER_ACCOUNT_ID: the management account of an organization the server account is not in', () => {
  const { fake, client } = useServer({
    ALLOWED_TARGET_ACCOUNTS: MANAGEMENT,
    PAYER_ACCOUNT_ID: MANAGEMENT,
    CACHE_TTL_SECONDS: '0',
  });
  beforeEach(() => installOrganizationSeenFromMember(fake));

  test('lists the organization in PAYER_ACCOUNT_ID when DescribeOrganization cannot tell', async () => {
    const { data } = await listAccounts(client());
    expect(data.source).toBe('organizations');
    expect(fake.callsTo('organizations:DescribeOrganization').map(callerAccount)).toEqual([OWN_ACCOUNT]);
    expect(fake.callsTo('organizations:ListAccounts').map(callerAccount)[1]).toBe(MANAGEMENT);
  });
});

describe('from Cost Explorer, when Organizations cannot be read', () => {
  // Without PAYER_ACCOUNT_ID the server cannot know the management account: the control for the test above.
  const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: MANAGEMENT });
  const names = [
    { Value: '222222222222', Attributes: { description: 'prod-ce' } },
    { Value: '333333333333', Attributes: { description: 'dev-ce' } },
  ];
  beforeEach(() => installOrganizationSeenFromMember(fake, names));

  test('names the accounts from the LINKED_ACCOUNT values, one paid request, and says why', async () => {
    const { result, data, text } = await listAccounts(client(), { refresh: true });
    expect(result.isError).toBeFalsy();
    expect(data.source).toBe('cost-explorer');
    expect(data.accounts).toEqual([
      { id: '222222222222', name: 'prod-ce' },
      { id: '333333333333', name: 'dev-ce' },
    ]);
    const [request] = fake.callsTo('ce:GetDimensionValues');
    expect(request.body).toMatchObject({
      Dimension: 'LINKED_ACCOUNT',
      Context: 'COST_AND_USAGE',
      TimePeriod: { Start: '2025-11-01', End: '2026-11-24' },
    });
    expect(request.accessKeyId).toBe(BASE_ACCESS_KEY);
    expect(data.api.paid_requests).toBe(1);
    expect(text).toContain("names from Cost Explorer's LINKED_ACCOUNT names");
    expect(data.notes[0]).toContain('AWS Organizations could not be read');
    expect(data.notes[0]).toContain('AWSOrganizationsNotInUseException');
  });

  test('remembers that Organizations cannot be read instead of asking it again', async () => {
    await listAccounts(client(), { refresh: true });
    expect(fake.callsTo('organizations:ListAccounts')).toHaveLength(1);
    fake.calls.length = 0;
    await listAccounts(client());
    expect(fake.callsTo('organizations:ListAccounts')).toHaveLength(0);
    expect(fake.callsTo('organizations:DescribeOrganization')).toHaveLength(0);
    // refresh asks again.
    await listAccounts(client(), { refresh: true });
    expect(fake.callsTo('organizations:ListAccounts')).toHaveLength(1);
  });
});

describe('from ACCOUNT_NAMES, when neither Organizations nor Cost Explorer names accounts', () => {
  const { fake, client } = useServer({
    ACCOUNT_NAMES: JSON.stringify({ '222222222222': 'prod-conf', '333333333333': 'dev-conf' }),
  });
  beforeEach(() => installOrganizationSeenFromMember(fake, [{ Value: '222222222222', Attributes: {} }]));

  test('lists the configured names and says where they came from', async () => {
    const { data, text } = await listAccounts(client(), { refresh: true });
    expect(data.source).toBe('account-names');
    expect(data.accounts).toEqual([
      { id: '222222222222', name: 'prod-conf' },
      { id: '333333333333', name: 'dev-conf' },
    ]);
    expect(text).toContain("(names from the server's ACCOUNT_NAMES setting).");
    expect(data.notes).toContain(`Cost Explorer in ${OWN_ACCOUNT} names no linked account.`);
  });
});

describe('with no source of names', () => {
  const { fake, client } = useServer();
  beforeEach(() => installOrganizationSeenFromMember(fake, [{ Value: '222222222222', Attributes: {} }]));

  test('lists the ids Cost Explorer knows and says that nothing names them', async () => {
    const { result, data, text } = await listAccounts(client());
    expect(result.isError).toBeFalsy();
    expect(data.source).toBe('none');
    expect(data.accounts).toEqual([{ id: '222222222222' }]);
    expect(text).toContain('**1 account, without names**');
    expect(data.notes).toContain('ACCOUNT_NAMES is not set.');
  });
});

/** The one-line error the server exits with at start-up under `env`. */
async function startupError(fake: FakeAws, env: Record<string, string>): Promise<string> {
  const failure = await startServer(fake, env).then(
    async (server) => {
      await server.stop();
      return new Error('the server started');
    },
    (err: Error) => err,
  );
  const line = failure.message.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as { msg: string }).msg : failure.message;
}

describe('configuration', () => {
  const fake = new FakeAws();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  test.each([
    ['{"222222222222":', 'ACCOUNT_NAMES must be a JSON object of 12-digit account id to name'],
    [
      '{"2222":"prod"}',
      'ACCOUNT_NAMES must be a JSON object of 12-digit account id to name, e.g. {"222222222222":"prod"}; "2222" is not an account id',
    ],
    [
      `{"222222222222":"${'x'.repeat(51)}"}`,
      'ACCOUNT_NAMES: the name of 222222222222 must be a string of 1-50 characters',
    ],
  ])('refuses to start with ACCOUNT_NAMES=%s', async (value, message) => {
    expect(await startupError(fake, { ACCOUNT_NAMES: value })).toContain(message);
  });

  test('refuses to start with a PAYER_ACCOUNT_ID that is not an account id', async () => {
    expect(await startupError(fake, { PAYER_ACCOUNT_ID: '12345' })).toBe(
      'Invalid configuration: PAYER_ACCOUNT_ID must be a 12-digit AWS account id, got "12345"',
    );
    // The control: a valid one starts.
    expect(await startupError(fake, { PAYER_ACCOUNT_ID: MANAGEMENT })).toBe('the server started');
  });
});
