import {
  assumedAccessKey,
  awsError,
  BASE_ACCESS_KEY,
  OWN_ACCOUNT,
  type RecordedCall,
} from '../fake-aws/fake-aws';
import { costLedger } from '../fake-aws/cost-ledger';
import { textOf, useServer } from './harness';

// A 2 s budget: reads are aborted at 1.8 s (soft deadline), the answer goes out by 2 s at the latest.
const { fake, client } = useServer({
  TOOL_DEADLINE_SECONDS: '2',
  FANOUT_CONCURRENCY: '2',
  ALLOWED_TARGET_ACCOUNTS: '222222222222,333333333333,444444444444,555555555555',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function accountOf(call: RecordedCall): string {
  return call.accessKeyId === BASE_ACCESS_KEY ? OWN_ACCOUNT : call.accessKeyId.slice(4, 16);
}

function page(amount: string, token?: string) {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Total: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
        Groups: [{ Keys: [`svc-${amount}`], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } }],
      },
    ],
    ...(token ? { NextPageToken: token } : {}),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

beforeEach(() => fake.reset());

test('returns the pages read before the deadline with an explicit incomplete note', async () => {
  fake.on('ce:GetCostAndUsage', async (body) => {
    if (!body.NextPageToken) return page('1.25', 'p2');
    if (body.NextPageToken === 'p2') return page('0.5', 'p3');
    await sleep(4_000);
    return page('100');
  });
  const { value: result, ms } = await timed(() =>
    client().callTool({
      name: 'get-cost-and-usage',
      arguments: { period: 'last_month', group_by: [{ type: 'DIMENSION', key: 'SERVICE' }] },
    }),
  );
  expect(ms).toBeLessThan(2_500);
  expect(result.isError).toBeFalsy();
  const data = result.structuredContent as Record<string, any>;
  expect(data.total).toEqual({ amount: '1.75', unit: 'USD' });
  expect(data.more_pages).toBe(true);
  expect(data.notes).toContain(
    'incomplete: the tool deadline (2 s) stopped reading after 2 page(s); the figures cover only those pages. ' +
      'Narrow the range or filters for the rest.',
  );
  expect(textOf(result)).toContain(
    'Note: incomplete: the tool deadline (2 s) stopped reading after 2 page(s)',
  );
});

test('stops SDK retries of a throttled call at the deadline instead of timing out', async () => {
  fake.on('ce:GetCostAndUsage', async () => {
    await sleep(700);
    return awsError('ThrottlingException', 'Rate exceeded');
  });
  const { value: result, ms } = await timed(() =>
    client().callTool({ name: 'get-cost-and-usage', arguments: { period: 'last_7_days' } }),
  );
  expect(ms).toBeLessThan(2_500);
  expect(result.isError).toBe(true);
  expect(textOf(result)).toBe(
    'get-cost-and-usage did not finish within the tool deadline of 2 s (AWS was slow or throttling). Try ' +
      'again (answers already read are cached), or narrow the request.',
  );
  // The SDK retried (4 attempts would take ≥ 2.8 s) but no attempt starts after the answer.
  const attempts = fake.callsTo('ce:GetCostAndUsage').length;
  expect(attempts).toBeGreaterThanOrEqual(2);
  expect(attempts).toBeLessThanOrEqual(3);
  await sleep(1_500);
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(attempts);
});

test('answers by the hard deadline even when a step cannot be aborted (a slow AssumeRole)', async () => {
  fake.on('ce:GetCostAndUsage', () => page('1'));
  fake.on('sts:AssumeRole', async () => {
    await sleep(3_000);
    return {
      Credentials: {
        AccessKeyId: assumedAccessKey('555555555555'),
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      },
    };
  });
  const { value: result, ms } = await timed(() =>
    client().callTool({
      name: 'get-cost-and-usage',
      arguments: { period: 'last_7_days', target_account_id: '555555555555' },
    }),
  );
  expect(ms).toBeGreaterThanOrEqual(1_900);
  expect(ms).toBeLessThan(2_500);
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/did not finish within the tool deadline of 2 s/);
  // Once the role arrives the deadline has passed, so the Cost Explorer request is never sent (nor paid).
  await sleep(1_500);
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
});

test('a fan-out returns the accounts that answered and names those the deadline stopped', async () => {
  fake.on('ce:GetCostAndUsage', async (_body, call) => {
    const account = accountOf(call);
    if (account === '333333333333' || account === '444444444444') await sleep(4_000);
    return page(account === '222222222222' ? '2.5' : '0.75');
  });
  // Concurrency 2: 333 and 444 hang in both slots from the start, so 555 is never started.
  const { value: result, ms } = await timed(() =>
    client().callTool({
      name: 'get-cost-and-usage',
      arguments: {
        period: 'last_month',
        target_account_ids: ['333333333333', '222222222222', '444444444444', '555555555555'],
      },
    }),
  );
  expect(ms).toBeLessThan(2_500);
  expect(result.isError).toBeFalsy();
  const data = result.structuredContent as Record<string, any>;
  expect(data.accounts.map((a: any) => [a.account_id, a.ok])).toEqual([
    ['333333333333', false],
    ['222222222222', true],
    ['444444444444', false],
    ['555555555555', false],
  ]);
  expect(data.combined_total).toEqual({ amount: '2.5', unit: 'USD', accounts: 1 });
  expect(data.notes).toContain(
    'incomplete: the tool deadline (2 s) stopped the fan-out before every account answered (not finished: ' +
      '333333333333, 444444444444; not reached: 555555555555); ask for those accounts again (answers already ' +
      'read are cached).',
  );
  expect(data.accounts[3].error).toBe(
    'Not reached before the tool deadline (2 s); ask for this account alone.',
  );
  expect(fake.callsTo('ce:GetCostAndUsage').map(accountOf)).not.toContain('555555555555');
  await sleep(2_000);
});

test('summarize-costs answers with the costs and notes the side reads the deadline cut off', async () => {
  fake.on('ce:GetCostAndUsage', costLedger([{ day: '2026-11-02', service: 'Amazon EC2', amount: '4.5' }]));
  fake.on('ce:GetCostForecast', async () => {
    await sleep(4_000);
    return { Total: { Amount: '1', Unit: 'USD' } };
  });
  fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
  fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
  const { value: result, ms } = await timed(() =>
    // A member account: the own account's Cost Explorer client is still slowed by the throttling test above (the
    // SDK's adaptive retry mode rations requests after throttling), which would make every read late here.
    client().callTool({
      name: 'summarize-costs',
      arguments: { refresh: true, target_account_id: '222222222222' },
    }),
  );
  expect(ms).toBeLessThan(2_500);
  expect(result.isError).toBeFalsy();
  const data = result.structuredContent as Record<string, any>;
  expect(data.month_to_date.amount).toBe('4.5');
  expect(data.forecast).toBeUndefined();
  expect(data.anomalies).toEqual({
    start: '2026-10-25',
    end: '2026-11-24',
    count: 0,
    open_count: 0,
    open_impact: '0',
  });
  expect(data.notes).toEqual(['incomplete: the forecast could not be read before the tool deadline.']);
  await sleep(2_000);
});
