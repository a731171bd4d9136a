import { assumedAccessKey, BASE_ACCESS_KEY, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { textOf, useServer } from './harness';

const MEMBER = '222222222222';
const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: `${MEMBER},333333333333` });

function groupedAnswer() {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Estimated: false,
        Groups: [
          { Keys: ['Amazon EC2'], Metrics: { UnblendedCost: { Amount: '100.1000000001', Unit: 'USD' } } },
          { Keys: ['Amazon S3'], Metrics: { UnblendedCost: { Amount: '0.2', Unit: 'USD' } } },
        ],
      },
      {
        TimePeriod: { Start: '2026-11-01', End: '2026-11-25' },
        Estimated: true,
        Groups: [
          { Keys: ['Amazon EC2'], Metrics: { UnblendedCost: { Amount: '0.1', Unit: 'USD' } } },
          { Keys: ['AWS Lambda'], Metrics: { UnblendedCost: { Amount: '0.0000000009', Unit: 'USD' } } },
        ],
      },
    ],
  };
}

/** The same months ungrouped: Cost Explorer's own figure for each (here the sum of its groups). */
function monthsAnswer() {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Estimated: false,
        Total: { UnblendedCost: { Amount: '100.3000000001', Unit: 'USD' } },
      },
      {
        TimePeriod: { Start: '2026-11-01', End: '2026-11-25' },
        Estimated: true,
        Total: { UnblendedCost: { Amount: '0.1000000009', Unit: 'USD' } },
      },
    ],
  };
}

beforeEach(() => fake.reset());

test('sums a grouped query exactly, ranks groups and echoes the range', async () => {
  fake.on('ce:GetCostAndUsage', (body) => (body.GroupBy ? groupedAnswer() : monthsAnswer()));
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: {
      start_date: '2026-10-01',
      end_date: '2026-11-25',
      group_by: [{ type: 'DIMENSION', key: 'SERVICE' }],
    },
  });
  expect(result.isError).toBeFalsy();
  const data = result.structuredContent as Record<string, any>;
  // 100.1000000001 + 0.2 + 0.1 + 0.0000000009: floats would print 100.40000000100001.
  expect(data.total).toEqual({ amount: '100.400000001', unit: 'USD' });
  // The range crosses the 1st: its total is the sum of Cost Explorer's two monthly figures, and says so.
  expect(data.total_months).toBe(2);
  expect(data.groups.map((g: { keys: string[]; amount: string }) => [g.keys[0], g.amount])).toEqual([
    ['Amazon EC2', '100.2000000001'],
    ['Amazon S3', '0.2'],
    ['AWS Lambda', '0.0000000009'],
  ]);
  expect(data.range).toEqual({ start: '2026-10-01', end: '2026-11-25' });
  expect(data.computed_on).toBe('2026-11-24');
  // The groups, and the months ungrouped for the total (item 6 of issue 10: not the sum of the groups).
  expect(data.api).toMatchObject({ requests: 2, paid_requests: 2, cost_usd: '0.02' });
  expect(textOf(result)).toContain("100.400000001 USD** (the sum of Cost Explorer's 2 monthly figures)");
});

test('excludes credits and refunds by default, in the request AWS receives', async () => {
  fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
  await client().callTool({ name: 'get-cost-and-usage', arguments: { period: 'last_month', refresh: true } });
  const [call] = fake.callsTo('ce:GetCostAndUsage');
  expect(call.body.TimePeriod).toEqual({ Start: '2026-10-01', End: '2026-11-01' });
  expect(call.body.Filter).toEqual({
    Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } },
  });
  expect(call.accessKeyId).toBe(BASE_ACCESS_KEY);
});

test('signs a target-account call with the assumed role and never assumes a role for the own account', async () => {
  fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
  await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { target_account_id: OWN_ACCOUNT, period: 'last_7_days' },
  });
  expect(fake.callsTo('sts:AssumeRole')).toHaveLength(0);

  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { target_account_id: MEMBER, period: 'last_7_days' },
  });
  expect(result.isError).toBeFalsy();
  const [assume] = fake.callsTo('sts:AssumeRole');
  expect(assume.body.RoleArn).toBe(`arn:aws:iam::${MEMBER}:role/BillingMCPCrossAccountRole`);
  expect(assume.body.RoleSessionName).toBe(`billing-mcp-${MEMBER}`);
  const ceCalls = fake.callsTo('ce:GetCostAndUsage');
  expect(ceCalls.map((c) => c.accessKeyId)).toEqual([BASE_ACCESS_KEY, assumedAccessKey(MEMBER)]);
});

test('refuses an account that is not allowed without calling AWS', async () => {
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { target_account_id: '999999999999', period: 'last_month' },
  });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/999999999999 is not in this server's allowed target accounts/);
  expect(fake.calls.filter((c) => c.service !== 'sts')).toHaveLength(0);
  expect(fake.callsTo('sts:AssumeRole')).toHaveLength(0);
});

test('removes the queried account from a LINKED_ACCOUNT filter and says so', async () => {
  fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: {
      period: 'last_month',
      refresh: true,
      filters: [
        { type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [OWN_ACCOUNT] },
        { type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [OWN_ACCOUNT], exclude: true },
      ],
    },
  });
  const [call] = fake.callsTo('ce:GetCostAndUsage');
  expect(call.body.Filter).toEqual({
    And: [
      { Not: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [OWN_ACCOUNT] } } },
      { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } },
    ],
  });
  expect(textOf(result)).toContain(`Dropped the LINKED_ACCOUNT filter on ${OWN_ACCOUNT}`);
});

test('explains an AssumeRole denial with the role ARN and likely causes', async () => {
  fake.deniedRoles.add('333333333333');
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { target_account_id: '333333333333', period: 'last_month' },
  });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain(
    'Could not assume arn:aws:iam::333333333333:role/BillingMCPCrossAccountRole',
  );
  expect(textOf(result)).not.toMatch(/\n\s+at /);
});
