import { costLedger, type LedgerEntry } from '../fake-aws/cost-ledger';
import { textOf, useServer } from './harness';

// The server's clock is 2026-11-24T12:00:00Z (see the harness). Every test asks about its own dates, filters or
// metrics: the server (and its cache) lives for the whole file.
const { fake, client } = useServer();

const EXCLUSION = { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } };
const SERVICE = { type: 'DIMENSION', key: 'SERVICE' };

type Cells = Record<string, string>;
const money = (amount: string, metric = 'UnblendedCost') => ({ [metric]: { Amount: amount, Unit: 'USD' } });

/** One bucket of a grouped answer, as Cost Explorer writes it (an empty Total beside the groups). */
function bucket(start: string, end: string, cells: Cells, estimated = false, metric = 'UnblendedCost') {
  return {
    TimePeriod: { Start: start, End: end },
    Estimated: estimated,
    Total: {},
    Groups: Object.entries(cells).map(([key, amount]) => ({ Keys: [key], Metrics: money(amount, metric) })),
  };
}

const nextDay = (day: string) => new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);

/** A DAILY answer by service with one bucket per day of [start, end), as Cost Explorer answers it. */
function dailyByService(
  start: string,
  end: string,
  cellsOf: (day: string) => Cells,
  metric = 'UnblendedCost',
) {
  const results = [];
  for (let day = start; day < end; day = nextDay(day)) {
    results.push(bucket(day, nextDay(day), cellsOf(day), false, metric));
  }
  return { ResultsByTime: results, GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }] };
}

async function ask(tool: string, args: Record<string, unknown>) {
  const result = await client().callTool({ name: tool, arguments: args });
  expect(result.isError).toBeFalsy();
  return { data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

beforeEach(() => fake.reset());

describe('answers derived exactly from a cached broader answer', () => {
  test("a run of days comes from a cached DAILY answer, and the run's total is Cost Explorer's own", async () => {
    const cells: Record<string, Cells> = {
      '2026-11-03': { 'Amazon EC2': '1.0000000001', 'Amazon S3': '2.5' },
      '2026-11-04': { 'Amazon EC2': '3.25', 'Amazon S3': '0.0000000009' },
    };
    const entries: LedgerEntry[] = [];
    for (let day = '2026-11-01'; day < '2026-11-08'; day = nextDay(day)) {
      for (const [service, amount] of Object.entries(cells[day] ?? { 'Amazon EC2': '100' })) {
        entries.push({ day, service, amount });
      }
    }
    // Cost Explorer's figure for a period differs from the sum of its days in the last decimals.
    fake.on('ce:GetCostAndUsage', costLedger(entries, { monthlyDrift: '-0.0000000001' }));
    const source = await ask('get-cost-and-usage', {
      start_date: '2026-11-01',
      end_date: '2026-11-08',
      granularity: 'DAILY',
      group_by: [SERVICE],
    });
    // The days by service, the days ungrouped (their own figures) and the week's figure.
    expect(source.data.api).toMatchObject({ paid_requests: 3, cache_hits: 0 });

    const derived = await ask('get-cost-and-usage', {
      start_date: '2026-11-03',
      end_date: '2026-11-05',
      granularity: 'DAILY',
    });
    // The two days are copied from the cached DAILY answer; their total is asked, not added up.
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(4);
    expect(fake.callsTo('ce:GetCostAndUsage')[3].body).toMatchObject({
      TimePeriod: { Start: '2026-11-03', End: '2026-11-05' },
      Granularity: 'MONTHLY',
    });
    // 1.0000000001 + 2.5 + 3.25 + 0.0000000009 = 6.750000001, and Cost Explorer's figure is 0.0000000001 less.
    expect(derived.data.total).toEqual({ amount: '6.7500000009', unit: 'USD' });
    expect(derived.data.periods).toEqual([
      { start: '2026-11-03', end: '2026-11-04', amount: '3.5000000001', estimated: false },
      { start: '2026-11-04', end: '2026-11-05', amount: '3.2500000009', estimated: false },
    ]);
    expect(derived.data.api).toMatchObject({
      requests: 1,
      paid_requests: 1,
      cost_usd: '0.01',
      cache_hits: 1,
    });
    expect(derived.data.api.data_fetched_at).toMatch(/^2026-11-24T12:0\d:\d\d\.\d{3}Z$/);
  });

  test("a month's total after the month by service is the figure that answer read, not the sum of its groups", async () => {
    fake.on(
      'ce:GetCostAndUsage',
      costLedger(
        [
          { day: '2026-06-03', service: 'Amazon EC2', amount: '10.1', estimated: true },
          { day: '2026-06-04', service: 'AWS Lambda', amount: '0.0000000001' },
          { day: '2026-06-30', service: 'Tax', amount: '-0.5' },
        ],
        { monthlyDrift: '0.0000000002' },
      ),
    );
    const byService = await ask('get-cost-and-usage', {
      start_date: '2026-06-01',
      end_date: '2026-07-01',
      group_by: [SERVICE],
    });
    const total = await ask('get-cost-and-usage', { start_date: '2026-06-01', end_date: '2026-07-01' });
    // The grouped answer and the month ungrouped; the month's total is then a cache hit.
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
    // 10.1 + 0.0000000001 − 0.5 = 9.6000000001 is the sum of the groups; Cost Explorer says 9.6000000003.
    expect(total.data.total).toEqual({ amount: '9.6000000003', unit: 'USD' });
    expect(byService.data.total).toEqual(total.data.total);
    expect(byService.text).toContain('| **Sum of the groups** | **9.6000000001** |');
    expect(total.data.estimated).toBe(true);
    expect(total.data.api).toMatchObject({ paid_requests: 0, cache_hits: 1 });
    expect(total.text).toContain('9.6000000003 USD** (includes estimated data)');
  });

  test('one month by service comes from a cached multi-month answer by service, all its groups ranked', async () => {
    // 27 services in August, so the answer folds 2 into "others", computed from the whole month as AWS would.
    const august: Cells = Object.fromEntries(
      Array.from({ length: 27 }, (_, i) => [`Service ${String(i + 1).padStart(2, '0')}`, `${27 - i}.01`]),
    );
    fake.on(
      'ce:GetCostAndUsage',
      costLedger([
        { day: '2026-07-01', service: 'Amazon EC2', amount: '1' },
        ...Object.entries(august).map(([service, amount]) => ({ day: '2026-08-01', service, amount })),
        { day: '2026-09-01', service: 'Amazon EC2', amount: '3' },
      ]),
    );
    await ask('get-cost-and-usage', {
      start_date: '2026-07-01',
      end_date: '2026-10-01',
      group_by: [SERVICE],
    });
    const month = await ask('get-cost-and-usage', {
      start_date: '2026-08-01',
      end_date: '2026-09-01',
      group_by: [SERVICE],
    });
    // The three months by service and ungrouped; August by service and August's own figure are both slices.
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
    expect(month.data.api).toMatchObject({ paid_requests: 0, cache_hits: 2 });
    // 27.01 + 26.01 + … + 1.01 = 378 + 27 × 0.01
    expect(month.data.total).toEqual({ amount: '378.27', unit: 'USD' });
    expect(month.data.groups).toHaveLength(25);
    expect(month.data.groups[0]).toEqual({ keys: ['Service 01'], amount: '27.01', unit: 'USD' });
    // Services 26 and 27: 2.01 + 1.01
    expect(month.data.other_groups).toEqual({ count: 2, amount: '3.02' });
    expect(month.data.periods).toEqual([
      { start: '2026-08-01', end: '2026-09-01', amount: '378.27', estimated: false },
    ]);
  });

  test("the anomalies of the last 30 days come from the summary's wider window, without those ending today", async () => {
    const anomaly = (id: string, end: string, impact: number) => ({
      AnomalyId: id,
      AnomalyStartDate: '2026-11-01T00:00:00Z',
      AnomalyEndDate: `${end}T00:00:00Z`,
      Impact: { MaxImpact: impact, TotalImpact: impact },
    });
    fake.on('ce:GetCostAndUsage', () =>
      dailyByService('2026-10-01', '2026-11-25', () => ({ 'Amazon EC2': '1' }), 'AmortizedCost'),
    );
    fake.on('ce:GetCostForecast', () => ({
      Total: { Amount: '10', Unit: 'USD' },
      ForecastResultsByTime: [{ TimePeriod: { Start: '2026-11-24', End: '2026-12-01' }, MeanValue: '10' }],
    }));
    fake.on('ce:GetAnomalies', () => ({
      Anomalies: [
        anomaly('a1', '2026-11-20', 4.5),
        anomaly('a2', '2026-11-24', 7),
        anomaly('a3', '2026-10-25', 0.25),
      ],
    }));
    fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
    const summary = await ask('summarize-costs', { metric: 'AmortizedCost' });
    expect(summary.data.anomalies).toMatchObject({ start: '2026-10-25', end: '2026-11-24', count: 3 });

    const listed = await ask('get-anomalies', {});
    expect(fake.callsTo('ce:GetAnomalies')).toHaveLength(1);
    expect(listed.data.range).toEqual({ start: '2026-10-25', end: '2026-11-24' });
    // a2 ended today, outside 25 October to 23 November (inclusive): 4.5 + 0.25.
    expect(listed.data.anomalies.map((a: any) => a.id)).toEqual(['a1', 'a3']);
    expect(listed.data.total_impact).toBe('4.75');
    expect(listed.data.api).toMatchObject({ paid_requests: 0, cache_hits: 1 });
  });

  test("the month-end forecast reuses the summary's cached forecast and actual through yesterday", async () => {
    const entries: LedgerEntry[] = [];
    for (let day = '2026-10-01'; day < '2026-11-25'; day = nextDay(day)) {
      entries.push({ day, service: 'Amazon S3', amount: '2' });
    }
    fake.on('ce:GetCostAndUsage', costLedger(entries));
    fake.on('ce:GetCostForecast', () => ({
      Total: { Amount: '70.5', Unit: 'USD' },
      ForecastResultsByTime: [{ TimePeriod: { Start: '2026-11-24', End: '2026-12-01' }, MeanValue: '70.5' }],
    }));
    fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
    fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
    const summary = await ask('summarize-costs', { metric: 'NetUnblendedCost' });
    // 23 days × 2 through yesterday, + 70.5
    expect(summary.data.projected_month_end).toEqual({ actual_to_yesterday: '46', amount: '116.5' });

    const asked = fake.callsTo('ce:GetCostAndUsage').length;
    const forecast = await ask('get-cost-forecast', { metric: 'NetUnblendedCost' });
    expect(fake.callsTo('ce:GetCostForecast')).toHaveLength(1);
    expect(forecast.data.month_end).toMatchObject({ actual_to_date: '46', projected: '116.5' });
    // The summary already asked for the actual of 1 to 23 November, as get-cost-forecast does.
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(asked);
    expect(forecast.data.api).toMatchObject({ paid_requests: 0, cache_hits: 2 });
  });
});

describe('questions that cannot be derived exactly still ask Cost Explorer', () => {
  // One grouped month both of the following start from (cached by the first).
  const SEPTEMBER_BY_SERVICE = {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
        Estimated: false,
        Total: {},
        Groups: [
          {
            Keys: ['Amazon EC2'],
            Metrics: {
              UsageQuantity: { Amount: '720', Unit: 'Hrs' },
              UnblendedCost: { Amount: '5', Unit: 'USD' },
            },
          },
          {
            Keys: ['Amazon S3'],
            Metrics: {
              UsageQuantity: { Amount: '3', Unit: 'GB-Mo' },
              UnblendedCost: { Amount: '1', Unit: 'USD' },
            },
          },
        ],
      },
    ],
  };
  const TOTAL = {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
        Estimated: false,
        Total: {
          UsageQuantity: { Amount: '723.25', Unit: 'N/A' },
          UnblendedCost: { Amount: '6.0000000001', Unit: 'USD' },
        },
      },
    ],
  };
  const september = { start_date: '2026-09-01', end_date: '2026-10-01' };

  test('a usage total is never added up from groups whose units differ', async () => {
    fake.on('ce:GetCostAndUsage', (body) => (body.GroupBy ? SEPTEMBER_BY_SERVICE : TOTAL));
    const grouped = await ask('get-cost-and-usage', {
      ...september,
      group_by: [SERVICE],
      metrics: ['UsageQuantity', 'UnblendedCost'],
    });
    // The groups' 720 Hrs + 3 GB-Mo is no figure at all; the total is Cost Explorer's own, read ungrouped.
    expect(fake.callsTo('ce:GetCostAndUsage')[1].body).toEqual({
      TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UsageQuantity', 'UnblendedCost'],
      Filter: EXCLUSION,
    });
    expect(grouped.data.total).toEqual({ amount: '723.25', unit: 'N/A' });
    const usage = await ask('get-cost-and-usage', { ...september, metrics: ['UsageQuantity'] });
    // Cost Explorer's ungrouped UsageQuantity, copied from the cached ungrouped answer with both metrics.
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
    expect(usage.data.total).toEqual({ amount: '723.25', unit: 'N/A' });
    expect(usage.data.api).toMatchObject({ paid_requests: 0, cache_hits: 1 });
  });

  test('a different filter, a range off the bucket edges and refresh: true each ask AWS', async () => {
    fake.on('ce:GetCostAndUsage', () => SEPTEMBER_BY_SERVICE);
    await ask('get-cost-and-usage', {
      ...september,
      group_by: [SERVICE],
      metrics: ['UsageQuantity', 'UnblendedCost'],
    });
    fake.reset();
    fake.on('ce:GetCostAndUsage', () => TOTAL);
    // Credits and refunds counted: the cached answer excluded them.
    await ask('get-cost-and-usage', { ...september, include_credits_refunds: true });
    // Half of September is not a bucket of the cached month.
    await ask('get-cost-and-usage', { start_date: '2026-09-01', end_date: '2026-09-15' });
    // Derivable, but refresh skips every cached answer.
    const fresh = await ask('get-cost-and-usage', { ...september, refresh: true });
    expect(fake.callsTo('ce:GetCostAndUsage').map((c) => c.body.TimePeriod)).toEqual([
      { Start: '2026-09-01', End: '2026-10-01' },
      { Start: '2026-09-01', End: '2026-09-15' },
      { Start: '2026-09-01', End: '2026-10-01' },
    ]);
    expect(fake.callsTo('ce:GetCostAndUsage')[0].body.Filter).toBeUndefined();
    expect(fresh.data.api).toMatchObject({ paid_requests: 1, cache_hits: 0 });
  });

  test('an answer with more pages is never sliced', async () => {
    fake.on('ce:GetCostAndUsage', (body) =>
      body.NextPageToken
        ? dailyByService('2026-05-01', '2026-05-04', () => ({ 'Amazon S3': '1' }))
        : {
            ...dailyByService('2026-05-01', '2026-05-04', () => ({ 'Amazon EC2': '1' })),
            NextPageToken: 'p2',
          },
    );
    await ask('get-cost-and-usage', {
      start_date: '2026-05-01',
      end_date: '2026-05-04',
      granularity: 'DAILY',
      group_by: [SERVICE],
    });
    const asked = fake.callsTo('ce:GetCostAndUsage').length;
    fake.on('ce:GetCostAndUsage', () =>
      dailyByService('2026-05-02', '2026-05-03', () => ({ 'Amazon EC2': '1' })),
    );
    const day = await ask('get-cost-and-usage', {
      start_date: '2026-05-02',
      end_date: '2026-05-03',
      granularity: 'DAILY',
      group_by: [SERVICE],
    });
    // The day by service is asked again (with its own total, also not sliceable from a paged answer).
    const again = fake.callsTo('ce:GetCostAndUsage').slice(asked);
    expect(again.filter((c) => c.body.GroupBy && c.body.Granularity === 'DAILY')).toHaveLength(1);
    expect(day.data.api).toMatchObject({ paid_requests: again.length, cache_hits: 0 });
  });

  test('a daily answer missing days is not sliced', async () => {
    // Cost Explorer answers one bucket per day; an answer without 2026-04-02 is not one to cut up.
    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [
        bucket('2026-04-01', '2026-04-02', { 'Amazon EC2': '1' }),
        bucket('2026-04-03', '2026-04-04', { 'Amazon EC2': '1' }),
      ],
    }));
    await ask('get-cost-and-usage', {
      start_date: '2026-04-01',
      end_date: '2026-04-04',
      granularity: 'DAILY',
      group_by: [SERVICE],
    });
    const asked = fake.callsTo('ce:GetCostAndUsage').length;
    await ask('get-cost-and-usage', {
      start_date: '2026-04-01',
      end_date: '2026-04-02',
      granularity: 'DAILY',
    });
    // The first of April DAILY is asked of Cost Explorer, not cut from either answer missing the 2nd.
    const again = fake.callsTo('ce:GetCostAndUsage').slice(asked);
    expect(again.filter((c) => !c.body.GroupBy && c.body.Granularity === 'DAILY')).toHaveLength(1);
  });
});
