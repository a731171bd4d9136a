import { costLedger, type LedgerEntry } from '../fake-aws/cost-ledger';
import { FakeAws } from '../fake-aws/fake-aws';
import { startServer, type RunningServer } from './harness';

// The server's clock is 2026-11-24T12:00:00Z (see the harness): last month is October 2026.
const OCTOBER_DAYS_SUM = '12414.765987654';
/** Cost Explorer's own figure for October: not the sum of its days (nor of its services) in the last decimals. */
const OCTOBER = '12414.7659876531';
const DRIFT = '-0.0000000009';
/** November 1st to 24th: 10.0000000003 + 10.0000000003 + 1.0000000005 summed, and Cost Explorer's figure. */
const MONTH_TO_DATE_SUM = '21.0000000011';
const MONTH_TO_DATE = '21.0000000002';

const days = (start: string, end: string) => {
  const out: string[] = [];
  for (let t = Date.parse(start); t < Date.parse(end); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
};

/** September and October in full, November to date: daily costs by service. */
const LEDGER: LedgerEntry[] = [
  { day: '2026-09-01', service: 'Amazon EC2', amount: '300' },
  // 31 × 400.1 = 12403.1, + 11.665987654
  ...days('2026-10-01', '2026-11-01').map((day) => ({ day, service: 'Amazon EC2', amount: '400.1' })),
  { day: '2026-10-05', service: 'Amazon S3', amount: '11.665987654' },
  { day: '2026-11-02', service: 'Amazon EC2', amount: '10.0000000003' },
  { day: '2026-11-20', service: 'Amazon EC2', amount: '10.0000000003' },
  { day: '2026-11-24', service: 'Amazon S3', amount: '1.0000000005', estimated: true },
];

function installFakes(fake: FakeAws): void {
  fake.on('ce:GetCostAndUsage', costLedger(LEDGER, { monthlyDrift: DRIFT }));
  fake.on('ce:GetCostForecast', () => ({
    Total: { Amount: '5', Unit: 'USD' },
    ForecastResultsByTime: [{ TimePeriod: { Start: '2026-11-24', End: '2026-12-01' }, MeanValue: '5' }],
  }));
  fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
  fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
}

const SERVICE = { type: 'DIMENSION', key: 'SERVICE' };

/**
 * October's total and this month's as every tool states them, asked in the order a chat would (the summary first,
 * so with the cache on the later questions are answered from what it and the others read).
 */
async function figuresOf(
  server: RunningServer,
): Promise<{ october: Record<string, string>; mtd: Record<string, string> }> {
  const client = await server.client();
  const ask = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBeFalsy();
    return result.structuredContent as Record<string, any>;
  };
  const summary = await ask('summarize-costs', {});
  const byService = await ask('get-cost-and-usage', { period: 'last_month', group_by: [SERVICE] });
  const lastMonth = await ask('get-cost-and-usage', { period: 'last_month' });
  const byDates = await ask('get-cost-and-usage', { start_date: '2026-10-01', end_date: '2026-11-01' });
  const daily = await ask('get-cost-and-usage', {
    start_date: '2026-10-01',
    end_date: '2026-11-01',
    granularity: 'DAILY',
  });
  const threeMonths = await ask('get-cost-and-usage', { start_date: '2026-09-01', end_date: '2026-11-25' });
  const explained = await ask('explain-cost-change', {});
  const mtdByService = await ask('get-cost-and-usage', { period: 'month_to_date', group_by: [SERVICE] });
  const mtd = await ask('get-cost-and-usage', { period: 'month_to_date' });
  const octoberBucket = threeMonths.periods.find((p: any) => p.start === '2026-10-01');
  return {
    october: {
      'summarize-costs last_month': summary.last_month.amount,
      'get-cost-and-usage last_month by service': byService.total.amount,
      'get-cost-and-usage last_month': lastMonth.total.amount,
      'get-cost-and-usage October by dates': byDates.total.amount,
      'get-cost-and-usage October DAILY': daily.total.amount,
      'get-cost-and-usage three months, October bucket': octoberBucket.amount,
      'explain-cost-change compared period': explained.compare.total,
    },
    mtd: {
      'summarize-costs month_to_date': summary.month_to_date.amount,
      'summarize-costs total': summary.total.amount,
      'get-cost-and-usage month_to_date by service': mtdByService.total.amount,
      'get-cost-and-usage month_to_date': mtd.total.amount,
    },
  };
}

const everywhere = (figure: string, tools: Record<string, string>) =>
  Object.fromEntries(Object.keys(tools).map((k) => [k, figure]));

describe.each([
  ['with the cache', {}],
  ['without the cache', { CACHE_TTL_SECONDS: '0' }],
])('every tool states Cost Explorer’s own figure for a month, %s', (_label, env) => {
  const fake = new FakeAws();
  let server: RunningServer;
  beforeAll(async () => {
    await fake.start();
    installFakes(fake);
    server = await startServer(fake, env);
  });
  afterAll(async () => {
    await server.stop();
    await fake.stop();
  });

  test('October and this month have one value each, whichever tool is asked', async () => {
    const { october, mtd } = await figuresOf(server);
    expect(october).toEqual(everywhere(OCTOBER, october));
    expect(mtd).toEqual(everywhere(MONTH_TO_DATE, mtd));
    // Negative control: the sums of days differ from Cost Explorer's figures, so a tool adding them up fails above.
    expect(OCTOBER_DAYS_SUM).not.toBe(OCTOBER);
    expect(MONTH_TO_DATE_SUM).not.toBe(MONTH_TO_DATE);
  });
});

describe('a range across months is labelled as the sum of its months', () => {
  const fake = new FakeAws();
  let server: RunningServer;
  beforeAll(async () => {
    await fake.start();
    installFakes(fake);
    server = await startServer(fake);
  });
  afterAll(async () => {
    await server.stop();
    await fake.stop();
  });

  test("September to November is the sum of the three months' figures, and says so", async () => {
    const client = await server.client();
    const result = await client.callTool({
      name: 'get-cost-and-usage',
      arguments: { start_date: '2026-09-01', end_date: '2026-11-25' },
    });
    const data = result.structuredContent as Record<string, any>;
    // 299.9999999991 + 12414.7659876531 + 21.0000000002
    expect(data.total).toEqual({ amount: '12735.7659876524', unit: 'USD' });
    expect(data.total_months).toBe(3);
    expect((result.content as { text: string }[])[0].text).toContain(
      "12735.7659876524 USD** (the sum of Cost Explorer's 3 monthly figures)",
    );
    // Negative control: a range inside one month is one figure, with no such label.
    const october = await client.callTool({
      name: 'get-cost-and-usage',
      arguments: { start_date: '2026-10-01', end_date: '2026-11-01' },
    });
    expect((october.structuredContent as Record<string, any>).total_months).toBe(1);
    expect((october.content as { text: string }[])[0].text).not.toContain('the sum of');
  });
});
