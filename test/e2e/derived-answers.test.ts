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
  test('a daily total over a sub-range comes from a cached daily answer by service, with no request', async () => {
    const cells: Record<string, Cells> = {
      '2026-11-03': { 'Amazon EC2': '1.0000000001', 'Amazon S3': '2.5' },
      '2026-11-04': { 'Amazon EC2': '3.25', 'Amazon S3': '0.0000000009' },
    };
    fake.on('ce:GetCostAndUsage', () =>
      dailyByService('2026-11-01', '2026-11-08', (day) => cells[day] ?? { 'Amazon EC2': '100' }),
    );
    const source = await ask('get-cost-and-usage', {
      start_date: '2026-11-01',
      end_date: '2026-11-08',
      granularity: 'DAILY',
      group_by: [SERVICE],
    });
    expect(source.data.api).toMatchObject({ paid_requests: 1, cache_hits: 0 });

    const derived = await ask('get-cost-and-usage', {
      start_date: '2026-11-03',
      end_date: '2026-11-05',
      granularity: 'DAILY',
    });
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
    // 1.0000000001 + 2.5 on the 3rd, 3.25 + 0.0000000009 on the 4th.
    expect(derived.data.total).toEqual({ amount: '6.750000001', unit: 'USD' });
    expect(derived.data.periods).toEqual([
      { start: '2026-11-03', end: '2026-11-04', amount: '3.5000000001', estimated: false },
      { start: '2026-11-04', end: '2026-11-05', amount: '3.2500000009', estimated: false },
    ]);
    expect(derived.data.api).toMatchObject({
      requests: 0,
      paid_requests: 0,
      cost_usd: '0.00',
      cache_hits: 1,
    });
    expect(derived.data.api.data_fetched_at).toMatch(/^2026-11-24T12:0\d:\d\d\.\d{3}Z$/);
    expect(derived.text).toContain(
      `API usage: 0 AWS requests; 1 answered from cache (data fetched ${derived.data.api.data_fetched_at}).`,
    );
  });

  test("a month's total comes from the cached month by service, keeping Cost Explorer's Estimated flag", async () => {
    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [
        bucket(
          '2026-06-01',
          '2026-07-01',
          { 'Amazon EC2': '10.1', 'AWS Lambda': '0.0000000001', Tax: '-0.5' },
          true,
        ),
      ],
    }));
    await ask('get-cost-and-usage', {
      start_date: '2026-06-01',
      end_date: '2026-07-01',
      group_by: [SERVICE],
    });
    const total = await ask('get-cost-and-usage', { start_date: '2026-06-01', end_date: '2026-07-01' });
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
    // 10.1 + 0.0000000001 − 0.5
    expect(total.data.total).toEqual({ amount: '9.6000000001', unit: 'USD' });
    expect(total.data.estimated).toBe(true);
    expect(total.data.api).toMatchObject({ paid_requests: 0, cache_hits: 1 });
    expect(total.text).toContain('9.6000000001 USD** (includes estimated data)');
  });

  test('one month by service comes from a cached multi-month answer by service, all its groups ranked', async () => {
    // 27 services in August, so the answer folds 2 into "others", computed from the whole month as AWS would.
    const august: Cells = Object.fromEntries(
      Array.from({ length: 27 }, (_, i) => [`Service ${String(i + 1).padStart(2, '0')}`, `${27 - i}.01`]),
    );
    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [
        bucket('2026-07-01', '2026-08-01', { 'Amazon EC2': '1' }),
        bucket('2026-08-01', '2026-09-01', august),
        bucket('2026-09-01', '2026-10-01', { 'Amazon EC2': '3' }),
      ],
    }));
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
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
    expect(month.data.api).toMatchObject({ paid_requests: 0, cache_hits: 1 });
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

  test("the month-end forecast reuses the summary's cached forecast, and only the actual is asked", async () => {
    fake.on('ce:GetCostAndUsage', () =>
      dailyByService('2026-10-01', '2026-11-25', () => ({ 'Amazon S3': '2' }), 'NetUnblendedCost'),
    );
    fake.on('ce:GetCostForecast', () => ({
      Total: { Amount: '70.5', Unit: 'USD' },
      ForecastResultsByTime: [{ TimePeriod: { Start: '2026-11-24', End: '2026-12-01' }, MeanValue: '70.5' }],
    }));
    fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
    fake.on('budgets:DescribeBudgets', () => ({ Budgets: [] }));
    const summary = await ask('summarize-costs', { metric: 'NetUnblendedCost' });
    // 23 days × 2 through yesterday, + 70.5
    expect(summary.data.projected_month_end).toEqual({ actual_to_yesterday: '46', amount: '116.5' });

    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-01', End: '2026-11-24' },
          Total: money('46', 'NetUnblendedCost'),
          Estimated: true,
        },
      ],
    }));
    const forecast = await ask('get-cost-forecast', { metric: 'NetUnblendedCost' });
    expect(fake.callsTo('ce:GetCostForecast')).toHaveLength(1);
    expect(forecast.data.month_end).toMatchObject({ actual_to_date: '46', projected: '116.5' });
    expect(forecast.data.api).toMatchObject({ paid_requests: 1, cache_hits: 1 });
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
        Total: { UsageQuantity: { Amount: '723', Unit: 'N/A' } },
      },
    ],
  };
  const september = { start_date: '2026-09-01', end_date: '2026-10-01' };

  test('a usage total is not added up from groups whose units differ', async () => {
    fake.on('ce:GetCostAndUsage', () => SEPTEMBER_BY_SERVICE);
    await ask('get-cost-and-usage', {
      ...september,
      group_by: [SERVICE],
      metrics: ['UsageQuantity', 'UnblendedCost'],
    });
    fake.on('ce:GetCostAndUsage', () => TOTAL);
    const usage = await ask('get-cost-and-usage', { ...september, metrics: ['UsageQuantity'] });
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
    expect(fake.callsTo('ce:GetCostAndUsage')[1].body).toEqual({
      TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UsageQuantity'],
      Filter: EXCLUSION,
    });
    expect(usage.data.api).toMatchObject({ paid_requests: 1, cache_hits: 0 });
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
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
    fake.on('ce:GetCostAndUsage', () =>
      dailyByService('2026-05-02', '2026-05-03', () => ({ 'Amazon EC2': '1' })),
    );
    const day = await ask('get-cost-and-usage', {
      start_date: '2026-05-02',
      end_date: '2026-05-03',
      granularity: 'DAILY',
      group_by: [SERVICE],
    });
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(3);
    expect(day.data.api).toMatchObject({ paid_requests: 1, cache_hits: 0 });
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
    await ask('get-cost-and-usage', {
      start_date: '2026-04-01',
      end_date: '2026-04-02',
      granularity: 'DAILY',
    });
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
  });
});
