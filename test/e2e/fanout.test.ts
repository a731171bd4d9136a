import { BASE_ACCESS_KEY, OWN_ACCOUNT, type RecordedCall } from '../fake-aws/fake-aws';
import { textOf, useServer } from './harness';

const MEMBERS = ['222222222222', '333333333333', '444444444444', '555555555555'];
const { fake, client } = useServer({
  ALLOWED_TARGET_ACCOUNTS: MEMBERS.join(','),
  FANOUT_CONCURRENCY: '2',
});

/** The account a fake call was signed for: the own account, or the one whose role was assumed. */
function accountOf(call: RecordedCall): string {
  return call.accessKeyId === BASE_ACCESS_KEY ? OWN_ACCOUNT : call.accessKeyId.slice(4, 16);
}

const AMOUNTS: Record<string, string> = {
  [OWN_ACCOUNT]: '10.0000000001',
  '222222222222': '0.1',
  '333333333333': '0.2',
  '444444444444': '1234.5',
  '555555555555': '0.0000000009',
};

function monthAnswer(amount: string, unit = 'USD') {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Estimated: false,
        Total: { UnblendedCost: { Amount: amount, Unit: unit } },
      },
    ],
  };
}

beforeEach(() => fake.reset());

test('answers one section per account with an exact combined total and a per-account error', async () => {
  fake.on('ce:GetCostAndUsage', (_body, call) => monthAnswer(AMOUNTS[accountOf(call)]));
  fake.deniedRoles.add('333333333333');
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: {
      period: 'last_month',
      target_account_ids: [OWN_ACCOUNT, '222222222222', '333333333333', '444444444444'],
    },
  });
  expect(result.isError).toBeFalsy();
  const data = result.structuredContent as Record<string, any>;
  // 10.0000000001 + 0.1 + 1234.5 (333333333333 failed): floats would give 1244.6000000001000.
  expect(data.combined_total).toEqual({ amount: '1244.6000000001', unit: 'USD', accounts: 3 });
  expect(
    data.accounts.map((a: any) => [a.account_id, a.ok, a.total?.amount ?? null, a.paid_requests]),
  ).toEqual([
    [OWN_ACCOUNT, true, '10.0000000001', 1],
    ['222222222222', true, '0.1', 1],
    ['333333333333', false, null, 0],
    ['444444444444', true, '1234.5', 1],
  ]);
  expect(data.accounts[2].error).toContain(
    'Could not assume arn:aws:iam::333333333333:role/BillingMCPCrossAccountRole',
  );
  expect(data.accounts[1].answer.range).toEqual({ start: '2026-10-01', end: '2026-11-01' });
  // The paid requests of the answer are the sum over the accounts.
  expect(data.api).toMatchObject({ paid_requests: 3, cost_usd: '0.03' });
  expect(data.account_id).toBeUndefined();

  const text = textOf(result);
  expect(text).toContain('**Combined total over 3 of 4 accounts: 1244.6000000001 USD** (1 without an answer');
  expect(text).toContain('| 333333333333 |  | failed |');
  expect(text).toContain('### Account 222222222222\n**UnblendedCost for account 222222222222');
  expect(text).toContain('### Account 333333333333\nCould not assume');
  expect(text).toMatch(/API usage: \d+ AWS requests; 3 paid Cost Explorer \(0\.03 USD\)/);
  // Each account was asked with its own credentials.
  expect(fake.callsTo('ce:GetCostAndUsage').map(accountOf).sort()).toEqual([
    OWN_ACCOUNT,
    '222222222222',
    '444444444444',
  ]);
});

test('queries at most FANOUT_CONCURRENCY accounts at once', async () => {
  let running = 0;
  let peak = 0;
  fake.on('ce:GetCostAndUsage', async (_body, call) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 150));
    running--;
    return monthAnswer(AMOUNTS[accountOf(call)]);
  });
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { period: 'last_month', target_account_ids: MEMBERS, refresh: true },
  });
  expect(result.isError).toBeFalsy();
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(4);
  expect(peak).toBe(2);
  const data = result.structuredContent as Record<string, any>;
  // 0.1 + 0.2 + 1234.5 + 0.0000000009
  expect(data.combined_total).toEqual({ amount: '1234.8000000009', unit: 'USD', accounts: 4 });
});

test('adds target_account_id to the list and asks each account once', async () => {
  fake.on('ce:GetCostAndUsage', (_body, call) => monthAnswer(AMOUNTS[accountOf(call)]));
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: {
      period: 'last_month',
      refresh: true,
      target_account_id: '222222222222',
      target_account_ids: ['555555555555', '222222222222'],
    },
  });
  const data = result.structuredContent as Record<string, any>;
  expect(data.accounts.map((a: any) => a.account_id)).toEqual(['222222222222', '555555555555']);
  expect(data.combined_total).toEqual({ amount: '0.1000000009', unit: 'USD', accounts: 2 });
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
});

test('gives no combined total when the accounts answer in different units, and says why', async () => {
  fake.on('ce:GetCostAndUsage', (_body, call) =>
    monthAnswer('5', accountOf(call) === '222222222222' ? 'EUR' : 'USD'),
  );
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { period: 'last_month', refresh: true, target_account_ids: ['222222222222', '333333333333'] },
  });
  const data = result.structuredContent as Record<string, any>;
  expect(data.combined_total).toBeUndefined();
  expect(data.notes).toContain('No combined total: the accounts answered in different units (EUR, USD).');
  expect(textOf(result)).toContain('**2 of 2 accounts answered**');
});

test('fails once with the shared message when every account fails the same way', async () => {
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: {
      start_date: '2026-10-05',
      end_date: '2026-10-01',
      target_account_ids: ['222222222222', '333333333333'],
    },
  });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/^No account answered\. end_date \(2026-10-01\) must be after start_date/);
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
});

test('refuses an account outside the allow-list for that account only', async () => {
  fake.on('ce:GetCostAndUsage', (_body, call) => monthAnswer(AMOUNTS[accountOf(call)]));
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { period: 'last_month', target_account_ids: ['999999999999', '222222222222'] },
  });
  expect(result.isError).toBeFalsy();
  const data = result.structuredContent as Record<string, any>;
  expect(data.accounts[0]).toMatchObject({ account_id: '999999999999', ok: false, paid_requests: 0 });
  expect(data.accounts[0].error).toMatch(/999999999999 is not in this server's allowed target accounts/);
  expect(fake.callsTo('sts:AssumeRole').map((c) => c.body.RoleArn)).not.toContain(
    'arn:aws:iam::999999999999:role/BillingMCPCrossAccountRole',
  );
});

test('lists target_account_ids as a described array of strings on fan-out tools only', async () => {
  const { tools } = await client().listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  const ids = (byName.get('get-cost-and-usage')!.inputSchema.properties as Record<string, any>)
    .target_account_ids;
  expect(ids.type).toBe('array');
  expect(ids.items.type).toBe('string');
  expect(ids.description).toMatch(/one section per account plus a combined total/);
  // The cost-data tools take target_account_ids too, as a SubAccountId filter of one query (no fan-out).
  for (const tool of tools) {
    if (
      ![
        'query-cost-data',
        'get-top-resources',
        'get-storage-metrics',
        'get-cost-and-usage',
        'get-cost-forecast',
        'get-anomalies',
        'get-budgets',
        'summarize-costs',
      ].includes(tool.name)
    ) {
      expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('target_account_ids');
    }
  }
});
