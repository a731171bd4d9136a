import { assumedAccessKey, awsError, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { textOf, useServer } from './harness';

// The server's clock is 2026-11-24T12:00:00Z (see harness.ts).
const MEMBER = '222222222222';
const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: MEMBER });

const NOT_CREDITS = { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } };
const EC2 = 'Amazon Elastic Compute Cloud - Compute';

beforeEach(() => fake.reset());

async function call(name: string, args: Record<string, unknown>) {
  const result = await client().callTool({ name, arguments: { refresh: true, ...args } });
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

describe('get-dimension-values', () => {
  test('lists the values of a dimension over the last 30 days, with the search string and context sent', async () => {
    fake.on('ce:GetDimensionValues', () => ({
      DimensionValues: [
        { Value: EC2, Attributes: {} },
        { Value: 'EC2 - Other', Attributes: {} },
      ],
      ReturnSize: 2,
      TotalSize: 2,
    }));
    const { result, data, text } = await call('get-dimension-values', {
      dimension: 'SERVICE',
      search_string: 'EC2',
    });
    expect(result.isError).toBeFalsy();
    const [req] = fake.callsTo('ce:GetDimensionValues');
    expect(req.body).toEqual({
      TimePeriod: { Start: '2026-10-25', End: '2026-11-24' },
      Dimension: 'SERVICE',
      Context: 'COST_AND_USAGE',
      SearchString: 'EC2',
    });
    expect(data.values).toEqual([{ value: EC2 }, { value: 'EC2 - Other' }]);
    expect(data.range).toEqual({ start: '2026-10-25', end: '2026-11-24' });
    expect(data.more).toBe(false);
    expect(text).toContain('**2 SERVICE values matching "EC2"** for account 111111111111');
    expect(text).toContain(`- ${EC2}`);
  });

  test('stops reading pages once max_results values are collected and says more exist', async () => {
    let page = 0;
    fake.on('ce:GetDimensionValues', () => {
      page++;
      return {
        DimensionValues: [{ Value: `us-east-${page}a` }, { Value: `us-east-${page}b` }],
        ReturnSize: 2,
        TotalSize: 9,
        NextPageToken: `token-${page}`,
      };
    });
    const { data, text } = await call('get-dimension-values', { dimension: 'AZ', max_results: 3 });
    const calls = fake.callsTo('ce:GetDimensionValues');
    expect(calls).toHaveLength(2);
    expect(calls[1].body.NextPageToken).toBe('token-1');
    expect(data.values.map((v: { value: string }) => v.value)).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-2a',
    ]);
    expect(data.more).toBe(true);
    expect(data.total_size).toBe(9);
    expect(text).toContain('**3 of 9 AZ values**');
    expect(text).toContain('raise max_results');
    expect(data.api).toMatchObject({ paid_requests: 2, cost_usd: '0.02' });
  });

  test('shows account names and says when the queried management account is not its own linked account', async () => {
    fake.on('ce:GetDimensionValues', () => ({
      DimensionValues: [{ Value: MEMBER, Attributes: { description: 'Team A' } }],
      ReturnSize: 1,
      TotalSize: 1,
    }));
    const { data, text } = await call('get-dimension-values', { dimension: 'LINKED_ACCOUNT' });
    expect(data.values).toEqual([{ value: MEMBER, description: 'Team A' }]);
    expect(text).toContain(`| ${MEMBER} | Team A |`);
    expect(text).toContain(`The queried account ${OWN_ACCOUNT} is not in this list`);
  });

  test('removes the queried account from a LINKED_ACCOUNT filter, keeps other accounts, and adds no RECORD_TYPE clause', async () => {
    fake.on('ce:GetDimensionValues', () => ({ DimensionValues: [], ReturnSize: 0, TotalSize: 0 }));
    const { text } = await call('get-dimension-values', {
      dimension: 'REGION',
      filters: [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [OWN_ACCOUNT, MEMBER] }],
    });
    const [req] = fake.callsTo('ce:GetDimensionValues');
    expect(req.body.Filter).toEqual({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: [MEMBER] } });
    expect(text).toContain(`Removed ${OWN_ACCOUNT} from the LINKED_ACCOUNT filter`);
  });

  test('queries a target account with its assumed role', async () => {
    fake.on('ce:GetDimensionValues', () => ({ DimensionValues: [], ReturnSize: 0, TotalSize: 0 }));
    const { data } = await call('get-dimension-values', { dimension: 'SERVICE', target_account_id: MEMBER });
    expect(data.account_id).toBe(MEMBER);
    expect(fake.callsTo('ce:GetDimensionValues')[0].accessKeyId).toBe(assumedAccessKey(MEMBER));
  });
});

describe('get-tag-values', () => {
  test('lists tag keys when no key is given', async () => {
    fake.on('ce:GetTags', () => ({ Tags: ['team', 'env'], ReturnSize: 2, TotalSize: 2 }));
    const { data, text } = await call('get-tag-values', { period: 'last_month' });
    expect(fake.callsTo('ce:GetTags')[0].body).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
    });
    expect(data).toMatchObject({ listed: 'keys', items: ['team', 'env'], more: false });
    expect(text).toContain('**2 tag keys** for account 111111111111, 2026-10-01 to 2026-11-01');
  });

  test('lists the values of one key, showing the empty value as untagged cost', async () => {
    fake.on('ce:GetTags', () => ({ Tags: ['', 'payments'], ReturnSize: 2, TotalSize: 2 }));
    const { data, text } = await call('get-tag-values', { tag_key: 'team', search_string: 'pay' });
    expect(fake.callsTo('ce:GetTags')[0].body).toMatchObject({ TagKey: 'team', SearchString: 'pay' });
    expect(data).toMatchObject({ listed: 'values', tag_key: 'team', items: ['', 'payments'] });
    expect(text).toContain('- (empty: cost without this tag)');
    expect(text).toContain('- payments');
  });
});

describe('get-cost-categories', () => {
  test('lists category names, then the values of one category', async () => {
    fake.on('ce:GetCostCategories', (body) =>
      body.CostCategoryName
        ? { CostCategoryValues: ['Platform', 'Data'], ReturnSize: 2, TotalSize: 2 }
        : { CostCategoryNames: ['Team'], ReturnSize: 1, TotalSize: 1 },
    );
    const names = await call('get-cost-categories', {});
    expect(names.data).toMatchObject({ listed: 'names', items: ['Team'] });
    const values = await call('get-cost-categories', { cost_category: 'Team' });
    expect(fake.callsTo('ce:GetCostCategories')[1].body).toMatchObject({ CostCategoryName: 'Team' });
    expect(values.data).toMatchObject({
      listed: 'values',
      cost_category: 'Team',
      items: ['Platform', 'Data'],
    });
    expect(values.text).toContain('**2 values of cost category "Team"**');
  });
});

describe('get-cost-and-usage-with-resources', () => {
  test('ranks resources of EC2 over the last 14 days with the SERVICE filter the API requires', async () => {
    fake.on('ce:GetCostAndUsageWithResources', () => ({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-11', End: '2026-11-12' },
          Groups: [
            { Keys: ['i-aaa'], Metrics: { UnblendedCost: { Amount: '1.0000000001', Unit: 'USD' } } },
            { Keys: ['i-bbb'], Metrics: { UnblendedCost: { Amount: '2.5', Unit: 'USD' } } },
          ],
        },
        {
          TimePeriod: { Start: '2026-11-12', End: '2026-11-13' },
          Groups: [{ Keys: ['i-aaa'], Metrics: { UnblendedCost: { Amount: '2.0000000002', Unit: 'USD' } } }],
        },
      ],
    }));
    const { result, data, text } = await call('get-cost-and-usage-with-resources', {});
    expect(result.isError).toBeFalsy();
    const [req] = fake.callsTo('ce:GetCostAndUsageWithResources');
    expect(req.body).toEqual({
      TimePeriod: { Start: '2026-11-11', End: '2026-11-25' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }],
      Filter: { And: [{ Dimensions: { Key: 'SERVICE', Values: [EC2] } }, NOT_CREDITS] },
    });
    // 1.0000000001 + 2.0000000002 = 3.0000000003; + 2.5 = 5.5000000003.
    expect(data.resources).toEqual([
      { resource_id: 'i-aaa', amount: '3.0000000003', unit: 'USD' },
      { resource_id: 'i-bbb', amount: '2.5', unit: 'USD' },
    ]);
    expect(data.total).toEqual({ amount: '5.5000000003', unit: 'USD' });
    expect(data.service).toBe(EC2);
    expect(text).toContain('5.5000000003 USD** over 2 resources');
  });

  test('refuses a start older than 14 days without calling AWS', async () => {
    const { result, text } = await call('get-cost-and-usage-with-resources', {
      start_date: '2026-11-09',
      end_date: '2026-11-20',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('start_date 2026-11-09 is more than 14 days back');
    expect(text).toContain('use a start_date on or after 2026-11-10');
    expect(fake.callsTo('ce:GetCostAndUsageWithResources')).toHaveLength(0);
  });

  test('explains how to enable resource-level data when AWS has none', async () => {
    fake.on('ce:GetCostAndUsageWithResources', () =>
      awsError('DataUnavailableException', 'Resource level data is not enabled'),
    );
    const { result, text } = await call('get-cost-and-usage-with-resources', {});
    expect(result.isError).toBe(true);
    expect(text).toContain('Hourly and resource level data');
  });
});

describe('get-cost-forecast', () => {
  test('adds month-to-date actual and the forecast for the rest of the month into an exact projected month end', async () => {
    fake.on('ce:GetCostForecast', () => ({
      Total: { Amount: '234.5678901234', Unit: 'USD' },
      ForecastResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-24', End: '2026-12-01' },
          MeanValue: '234.5678901234',
          PredictionIntervalLowerBound: '200.1',
          PredictionIntervalUpperBound: '270.2',
        },
      ],
    }));
    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-01', End: '2026-11-24' },
          Total: { UnblendedCost: { Amount: '1000.1234567891', Unit: 'USD' } },
          Estimated: true,
        },
      ],
    }));
    const { result, data, text } = await call('get-cost-forecast', {});
    expect(result.isError).toBeFalsy();
    const [forecastReq] = fake.callsTo('ce:GetCostForecast');
    expect(forecastReq.body).toEqual({
      TimePeriod: { Start: '2026-11-24', End: '2026-12-01' },
      Metric: 'UNBLENDED_COST',
      Granularity: 'MONTHLY',
      PredictionIntervalLevel: 80,
      Filter: NOT_CREDITS,
    });
    const [actualReq] = fake.callsTo('ce:GetCostAndUsage');
    expect(actualReq.body).toEqual({
      TimePeriod: { Start: '2026-11-01', End: '2026-11-24' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      Filter: NOT_CREDITS,
    });
    // 1000.1234567891 + 234.5678901234 = 1234.6913469125; bounds: + 200.1 and + 270.2.
    expect(data.month_end).toEqual({
      month: '2026-11',
      actual_to_date: '1000.1234567891',
      actual_through: '2026-11-23',
      forecast_rest: '234.5678901234',
      projected: '1234.6913469125',
      projected_lower: '1200.2234567891',
      projected_upper: '1270.3234567891',
      unit: 'USD',
    });
    expect(data.total).toEqual({ amount: '234.5678901234', unit: 'USD' });
    expect(data.credits_refunds).toBe('excluded');
    expect(text).toContain('**Projected November 2026 month end: 1234.6913469125 USD**');
    expect(text).toContain('credits and refunds excluded from the forecast');
  });

  test('forecasts next month without a month-end projection, at the requested interval level', async () => {
    fake.on('ce:GetCostForecast', () => ({
      Total: { Amount: '31', Unit: 'USD' },
      ForecastResultsByTime: [{ TimePeriod: { Start: '2026-12-01', End: '2027-01-01' }, MeanValue: '31' }],
    }));
    const { data } = await call('get-cost-forecast', {
      forecast_period: 'next_month',
      prediction_interval_level: 95,
      metric: 'AmortizedCost',
      include_credits_refunds: true,
    });
    const [req] = fake.callsTo('ce:GetCostForecast');
    expect(req.body).toEqual({
      TimePeriod: { Start: '2026-12-01', End: '2027-01-01' },
      Metric: 'AMORTIZED_COST',
      Granularity: 'MONTHLY',
      PredictionIntervalLevel: 95,
    });
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
    expect(data.month_end).toBeUndefined();
    expect(data.credits_refunds).toBe('included');
  });

  test('sums the daily forecast up to the month end, without an interval it cannot add up', async () => {
    const days = ['24', '25', '26', '27', '28', '29', '30'].map((d) => `2026-11-${d}`).concat('2026-12-01');
    fake.on('ce:GetCostForecast', () => ({
      Total: { Amount: '8.8', Unit: 'USD' },
      ForecastResultsByTime: days.map((start, i) => ({
        TimePeriod: { Start: start, End: days[i + 1] ?? '2026-12-02' },
        MeanValue: '1.1',
        PredictionIntervalLowerBound: '1',
        PredictionIntervalUpperBound: '1.2',
      })),
    }));
    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-01', End: '2026-11-24' },
          Total: { UnblendedCost: { Amount: '10', Unit: 'USD' } },
        },
      ],
    }));
    const { data } = await call('get-cost-forecast', {
      start_date: '2026-11-24',
      end_date: '2026-12-02',
      granularity: 'DAILY',
    });
    // Seven November days × 1.1 = 7.7; 10 + 7.7 = 17.7. Daily intervals do not sum to a monthly one: no bounds.
    expect(data.month_end).toEqual({
      month: '2026-11',
      actual_to_date: '10',
      actual_through: '2026-11-23',
      forecast_rest: '7.7',
      projected: '17.7',
      unit: 'USD',
    });
    expect(data.periods).toHaveLength(8);
  });

  test('gives no month-end projection when the forecast stops before the month ends', async () => {
    fake.on('ce:GetCostForecast', () => ({ Total: { Amount: '3', Unit: 'USD' }, ForecastResultsByTime: [] }));
    const { data, text } = await call('get-cost-forecast', {
      start_date: '2026-11-24',
      end_date: '2026-11-27',
    });
    expect(data.month_end).toBeUndefined();
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
    expect(text).not.toContain('Projected');
  });

  test('refuses a forecast that starts before today, pointing to get-cost-and-usage', async () => {
    const { result, text } = await call('get-cost-forecast', {
      start_date: '2026-11-20',
      end_date: '2026-12-01',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('A forecast must start today (2026-11-24) or later');
    expect(text).toContain('get-cost-and-usage');
    expect(fake.callsTo('ce:GetCostForecast')).toHaveLength(0);
  });

  test('refuses a DAILY forecast longer than three months', async () => {
    const { result, text } = await call('get-cost-forecast', {
      granularity: 'DAILY',
      forecast_period: 'next_12_months',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('longer than 93 days');
  });
});

describe('get-usage-forecast', () => {
  const hoursFilter = [{ type: 'DIMENSION', key: 'USAGE_TYPE_GROUP', values: ['EC2: Running Hours'] }];

  test('forecasts usage quantity for a usage type group, with no credits clause', async () => {
    fake.on('ce:GetUsageForecast', () => ({
      Total: { Amount: '168.5', Unit: 'Hrs' },
      ForecastResultsByTime: [
        {
          TimePeriod: { Start: '2026-11-24', End: '2026-12-01' },
          MeanValue: '168.5',
          PredictionIntervalLowerBound: '150',
          PredictionIntervalUpperBound: '180',
        },
      ],
    }));
    const { data, text } = await call('get-usage-forecast', { filters: hoursFilter });
    const [req] = fake.callsTo('ce:GetUsageForecast');
    expect(req.body).toEqual({
      TimePeriod: { Start: '2026-11-24', End: '2026-12-01' },
      Metric: 'USAGE_QUANTITY',
      Granularity: 'MONTHLY',
      PredictionIntervalLevel: 80,
      Filter: { Dimensions: { Key: 'USAGE_TYPE_GROUP', Values: ['EC2: Running Hours'] } },
    });
    expect(data.total).toEqual({ amount: '168.5', unit: 'Hrs' });
    expect(data.periods).toEqual([
      { start: '2026-11-24', end: '2026-12-01', mean: '168.5', lower: '150', upper: '180' },
    ]);
    expect(text).toContain('168.5 Hrs**');
  });

  test('asks for a USAGE_TYPE or USAGE_TYPE_GROUP filter before calling AWS', async () => {
    const { result, text } = await call('get-usage-forecast', {
      filters: [{ type: 'DIMENSION', key: 'SERVICE', values: [EC2] }],
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('USAGE_TYPE_GROUP');
    expect(fake.callsTo('ce:GetUsageForecast')).toHaveLength(0);
  });

  test('turns an unresolvable usage unit into advice on the filter', async () => {
    fake.on('ce:GetUsageForecast', () => awsError('UnresolvableUsageUnitException', 'Cannot determine unit'));
    const { result, text } = await call('get-usage-forecast', {
      filters: [
        { type: 'DIMENSION', key: 'USAGE_TYPE', values: ['BoxUsage:t3.micro', 'DataTransfer-Out-Bytes'] },
      ],
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('mix units');
  });
});

describe('bad input gets an actionable error and the server keeps answering', () => {
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    [
      'an impossible date',
      'get-cost-and-usage',
      { start_date: '2026-02-30', end_date: '2026-03-05' },
      /start_date must be a real calendar date as YYYY-MM-DD, got "2026-02-30"/,
    ],
    [
      'an end date before the start date',
      'get-cost-and-usage',
      { start_date: '2026-11-10', end_date: '2026-11-01' },
      /end_date \(2026-11-01\) must be after start_date \(2026-11-10\)/,
    ],
    [
      'a range beyond 14 months',
      'get-cost-and-usage',
      { start_date: '2025-08-01', end_date: '2026-11-01' },
      /more than 14 months back; Cost Explorer keeps data from 2025-09-01 on/,
    ],
    [
      'HOURLY beyond 14 days',
      'get-cost-and-usage',
      { granularity: 'HOURLY', period: 'last_30_days' },
      /more than 14 days back \(HOURLY data covers the last 14 days\)/,
    ],
    [
      'more than two group-bys',
      'get-cost-and-usage',
      {
        group_by: [
          { type: 'DIMENSION', key: 'SERVICE' },
          { type: 'DIMENSION', key: 'REGION' },
          { type: 'TAG', key: 'team' },
        ],
      },
      /group_by takes at most two keys \(a Cost Explorer limit\), got 3/,
    ],
    [
      'an unknown dimension',
      'get-cost-and-usage',
      { filters: [{ type: 'DIMENSION', key: 'SERVCE', values: ['x'] }] },
      /filters\[0\]: "SERVCE" is not a Cost Explorer dimension. Use one of: AZ, /,
    ],
    ['an unknown dimension to list', 'get-dimension-values', { dimension: 'SERVCE' }, /dimension/],
  ];

  test.each(cases)('rejects %s', async (_label, name, args, message) => {
    const { result, text } = await call(name, args);
    expect(result.isError).toBe(true);
    expect(text).toMatch(message);
    expect(text).not.toMatch(/\n\s+at /);
    expect(fake.calls.filter((c) => c.service === 'ce')).toHaveLength(0);
  });

  test('still answers after the errors', async () => {
    fake.on('ce:GetTags', () => ({ Tags: [], ReturnSize: 0, TotalSize: 0 }));
    const { result } = await call('get-tag-values', {});
    expect(result.isError).toBeFalsy();
  });
});
