import { FakeAws, awsError, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { startServer, textOf, useServer } from './harness';

const MEMBER = '222222222222';
const { fake, client, server } = useServer({ ALLOWED_TARGET_ACCOUNTS: MEMBER });

const ANSWER = {
  ResultsByTime: [
    {
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Estimated: false,
      Total: { UnblendedCost: { Amount: '42.0000000001', Unit: 'USD' } },
    },
  ],
};

beforeEach(() => fake.reset());

async function ask(args: Record<string, unknown>) {
  const result = await client().callTool({ name: 'get-cost-and-usage', arguments: args });
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

test('answers a repeated question from the cache, says so, and makes no second paid request', async () => {
  fake.on('ce:GetCostAndUsage', () => ANSWER);
  const first = await ask({ start_date: '2026-10-01', end_date: '2026-11-01', metrics: ['BlendedCost'] });
  expect(first.data.api).toMatchObject({ paid_requests: 1, cost_usd: '0.01', cache_hits: 0 });
  const second = await ask({ start_date: '2026-10-01', end_date: '2026-11-01', metrics: ['BlendedCost'] });
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
  expect(second.data.api).toMatchObject({ requests: 0, paid_requests: 0, cost_usd: '0.00', cache_hits: 1 });
  // The server's clock starts at the test clock, so the fetch happened a moment after 12:00:00.
  expect(second.data.api.data_fetched_at).toMatch(/^2026-11-24T12:0\d:\d\d\.\d{3}Z$/);
  expect(second.text).toContain(
    `API usage: 0 AWS requests; 1 answered from cache (data fetched ${second.data.api.data_fetched_at}).`,
  );
  expect(second.data.total).toEqual(first.data.total);
});

test('treats a named period and its dates, default metrics and reordered filters as the same request', async () => {
  fake.on('ce:GetCostAndUsage', () => ANSWER);
  await ask({
    period: 'last_month',
    filters: [
      { type: 'DIMENSION', key: 'SERVICE', values: ['Amazon S3', 'AWS Lambda'] },
      { type: 'DIMENSION', key: 'REGION', values: ['us-east-1'] },
    ],
  });
  const again = await ask({
    start_date: '2026-10-01',
    end_date: '2026-11-01',
    metrics: ['UnblendedCost'],
    filters: [
      { type: 'DIMENSION', key: 'REGION', values: ['us-east-1'] },
      { type: 'DIMENSION', key: 'SERVICE', values: ['AWS Lambda', 'Amazon S3'] },
    ],
  });
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
  expect(again.data.api.cache_hits).toBe(1);
});

test('keeps accounts apart: the same question about another account is asked there', async () => {
  fake.on('ce:GetCostAndUsage', () => ANSWER);
  await ask({ period: 'last_7_days' });
  await ask({ period: 'last_7_days', target_account_id: MEMBER });
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
});

test('refresh: true asks AWS again and stores the fresh answer for the next question', async () => {
  let amount = '1.5';
  fake.on('ce:GetCostAndUsage', () => ({
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Total: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
      },
    ],
  }));
  // A period no other test in this file asks about, so the server's cache starts empty for it.
  const args = { period: 'last_3_months' };
  const first = await ask(args);
  expect(first.data.total.amount).toBe('1.5');
  amount = '2.25';
  expect((await ask(args)).data.total.amount).toBe('1.5');
  const fresh = await ask({ ...args, refresh: true });
  expect(fresh.data.api).toMatchObject({ paid_requests: 1, cache_hits: 0 });
  expect(fresh.data.total.amount).toBe('2.25');
  const after = await ask(args);
  expect(after.data.api.cache_hits).toBe(1);
  expect(after.data.total.amount).toBe('2.25');
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
});

test('does not cache a failure: the next identical question asks AWS again', async () => {
  fake.on('ce:GetCostAndUsage', () => awsError('DataUnavailableException', 'Data is not available yet'));
  const failed = await ask({ period: 'last_30_days' });
  expect(failed.result.isError).toBe(true);
  fake.on('ce:GetCostAndUsage', () => ANSWER);
  const ok = await ask({ period: 'last_30_days' });
  expect(ok.result.isError).toBeFalsy();
  expect(ok.data.api).toMatchObject({ paid_requests: 1, cache_hits: 0 });
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
});

test('shares one AWS request between identical questions asked at the same time', async () => {
  fake.latencyMs = 300;
  fake.on('ce:GetCostAndUsage', () => ANSWER);
  const args = { period: 'year_to_date', refresh: true };
  const answers = await Promise.all([ask(args), ask(args), ask(args)]);
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
  const paid = answers.map((a) => a.data.api.paid_requests).sort();
  expect(paid).toEqual([0, 0, 1]);
  expect(answers.map((a) => a.data.api.cache_hits).sort()).toEqual([0, 1, 1]);
  expect(new Set(answers.map((a) => a.data.total.amount))).toEqual(new Set(['42.0000000001']));
});

test('logs the cumulative paid requests per account with every call that paid', async () => {
  fake.on('ce:GetCostAndUsage', () => ANSWER);
  await ask({ period: 'last_month', refresh: true });
  await ask({ period: 'last_month', refresh: true });
  const lines = server()
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"msg":"tool call"') && l.includes('paidRequestsSinceStart'))
    .map((l) => JSON.parse(l));
  const [previous, last] = lines.slice(-2).map((l) => l.paidRequestsSinceStart[OWN_ACCOUNT] as number);
  expect(last).toBe(previous + 1);
  expect(lines.at(-1)).toMatchObject({ tool: 'get-cost-and-usage', outcome: 'ok', paidRequests: 1 });
});

describe('with CACHE_TTL_SECONDS=1', () => {
  const shortFake = new FakeAws();
  let short: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    await shortFake.start();
    short = await startServer(shortFake, { CACHE_TTL_SECONDS: '1' });
  });
  afterAll(async () => {
    await short.stop();
    await shortFake.stop();
  });

  test('asks AWS again once the TTL has passed', async () => {
    shortFake.on('ce:GetCostAndUsage', () => ANSWER);
    const c = await short.client();
    const call = () => c.callTool({ name: 'get-cost-and-usage', arguments: { period: 'last_month' } });
    await call();
    const cached = await call();
    expect((cached.structuredContent as any).api.cache_hits).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100));
    const expired = await call();
    expect((expired.structuredContent as any).api).toMatchObject({ paid_requests: 1, cache_hits: 0 });
    expect(shortFake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
  });
});
