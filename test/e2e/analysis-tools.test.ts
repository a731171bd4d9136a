import { ANALYSIS_TOOLS } from '../../server/src/tools';
import { assumedAccessKey, awsError, BASE_ACCESS_KEY, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { textOf, useServer } from './harness';

/**
 * The analysis family end to end: month comparisons, cost drivers, anomalies, budgets, reservation and Savings
 * Plans coverage/utilization and purchase recommendations, through the MCP client against the fake AWS endpoint.
 * The clock is 2026-11-24, so "last month" is October 2026. Every expected figure is worked out by hand.
 */

const MEMBER = '222222222222';
const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: MEMBER });

const EC2 = 'Amazon Elastic Compute Cloud - Compute';
const NO_CREDITS = { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } };

type Data = Record<string, any>;

/**
 * Calls a tool through the MCP client and checks that every AWS operation the fake saw for it is one the tool
 * declares (and so one the IAM policy grants). Assuming the member role is credential plumbing, not a tool call.
 */
async function call(name: string, args: Record<string, unknown> = {}) {
  const tool = ANALYSIS_TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in the analysis family`);
  const before = fake.calls.length;
  const result = await client().callTool({ name, arguments: args });
  const seen = fake.calls
    .slice(before)
    .map((c) => c.key)
    .filter((k) => k !== 'sts:AssumeRole');
  expect(seen.filter((k) => !(tool.operations as readonly string[]).includes(k))).toEqual([]);
  return { result, data: result.structuredContent as Data, text: textOf(result) };
}

function cmp(baseline: string, comparison: string, unit = 'USD') {
  return { BaselineTimePeriodAmount: baseline, ComparisonTimePeriodAmount: comparison, Unit: unit };
}

beforeEach(() => fake.reset());

test('lists every analysis tool as read-only', async () => {
  const { tools } = await client().listTools();
  const names = [
    'compare-costs',
    'get-cost-drivers',
    'get-anomalies',
    'get-budgets',
    'get-reservation-coverage',
    'get-reservation-utilization',
    'get-savings-plans-coverage',
    'get-savings-plans-utilization',
    'get-purchase-recommendations',
  ];
  for (const name of names) {
    const tool = tools.find((t) => t.name === name);
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tool?.inputSchema.properties).toHaveProperty('target_account_id');
  }
});

describe('compare-costs', () => {
  test('compares last month with the month before by service, ranked by absolute change, exactly', async () => {
    fake.on('ce:GetCostAndUsageComparisons', () => ({
      CostAndUsageComparisons: [
        {
          CostAndUsageSelector: { Dimensions: { Key: 'SERVICE', Values: ['AWS Lambda'] } },
          Metrics: { UnblendedCost: cmp('0', '0.3') },
        },
        {
          CostAndUsageSelector: { Dimensions: { Key: 'SERVICE', Values: [EC2] } },
          Metrics: { UnblendedCost: cmp('100.10', '150.35') },
        },
        {
          CostAndUsageSelector: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Simple Storage Service'] } },
          Metrics: { UnblendedCost: cmp('80.00', '20.0000000001') },
        },
      ],
      TotalCostAndUsage: {
        UnblendedCost: { ...cmp('180.1', '170.6500000001'), Difference: '-9.4499999999' },
      },
    }));
    const { result, data, text } = await call('compare-costs');
    expect(result.isError).toBeFalsy();

    const [req] = fake.callsTo('ce:GetCostAndUsageComparisons');
    expect(req.body).toEqual({
      BaselineTimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
      ComparisonTimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      MetricForComparison: 'UnblendedCost',
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      Filter: NO_CREDITS,
    });
    expect(data.baseline_month).toBe('2026-09');
    expect(data.comparison_month).toBe('2026-10');
    // 170.6500000001 − 180.1 = −9.4499999999; −9.4499999999 / 180.1 = −5.247…%.
    expect(data.total).toEqual({
      baseline: '180.1',
      comparison: '170.6500000001',
      difference: '-9.4499999999',
      percent_change: '-5.2',
    });
    // |−59.9999999999| > |50.25| > |0.3|; 50.25 / 100.10 = 50.199…%; −59.9999999999 / 80 = −74.99999…%.
    expect(data.groups).toEqual([
      {
        key: 'Amazon Simple Storage Service',
        baseline: '80',
        comparison: '20.0000000001',
        difference: '-59.9999999999',
        percent_change: '-75.0',
      },
      { key: EC2, baseline: '100.1', comparison: '150.35', difference: '50.25', percent_change: '50.2' },
      { key: 'AWS Lambda', baseline: '0', comparison: '0.3', difference: '0.3' },
    ]);
    expect(text).toContain('2026-09 180.10 USD → 2026-10 170.65 USD, -9.45 USD (-5.2%)');
    expect(text).toContain('| AWS Lambda | 0 | 0.3 | +0.30 | n/a (new) |');
  });

  test('groups by a tag, reads every page and drops the queried account from a LINKED_ACCOUNT filter', async () => {
    fake.on('ce:GetCostAndUsageComparisons', (body) =>
      body.NextPageToken === 'page-2'
        ? {
            CostAndUsageComparisons: [
              {
                CostAndUsageSelector: { Tags: { Key: 'team', Values: ['data'] } },
                Metrics: { AmortizedCost: cmp('10', '5') },
              },
            ],
          }
        : {
            CostAndUsageComparisons: [
              {
                CostAndUsageSelector: { Tags: { Key: 'team', Values: ['web'] } },
                Metrics: { AmortizedCost: cmp('1.5', '2.25') },
              },
            ],
            NextPageToken: 'page-2',
          },
    );
    const { data, text } = await call('compare-costs', {
      baseline_month: '2026-06',
      comparison_month: '2026-08',
      metric: 'AmortizedCost',
      group_by_tag: 'team',
      filters: [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [OWN_ACCOUNT, '333333333333'] }],
    });
    const calls = fake.callsTo('ce:GetCostAndUsageComparisons');
    expect(calls).toHaveLength(2);
    expect(calls[1].body.NextPageToken).toBe('page-2');
    expect(calls[0].body.GroupBy).toEqual([{ Type: 'TAG', Key: 'team' }]);
    expect(calls[0].body.BaselineTimePeriod).toEqual({ Start: '2026-06-01', End: '2026-07-01' });
    expect(calls[0].body.ComparisonTimePeriod).toEqual({ Start: '2026-08-01', End: '2026-09-01' });
    expect(calls[0].body.Filter).toEqual({
      And: [{ Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['333333333333'] } }, NO_CREDITS],
    });
    // No TotalCostAndUsage in the answer: the total is the exact sum of the groups, 11.5 → 7.25.
    expect(data.total).toEqual({
      baseline: '11.5',
      comparison: '7.25',
      difference: '-4.25',
      percent_change: '-37.0',
    });
    expect(data.groups.map((g: Data) => [g.key, g.difference])).toEqual([
      ['team=data', '-5'],
      ['team=web', '0.75'],
    ]);
    expect(text).toContain(`Removed ${OWN_ACCOUNT} from the LINKED_ACCOUNT filter`);
  });

  test('asks for YYYY-MM when given a day, without calling Cost Explorer', async () => {
    const { result, text } = await call('compare-costs', { baseline_month: '2026-09-15' });
    expect(result.isError).toBe(true);
    expect(text).toContain('baseline_month must be a month as YYYY-MM');
    expect(text).toContain('Give the month only: "2026-09"');
    expect(fake.callsTo('ce:GetCostAndUsageComparisons')).toHaveLength(0);
  });

  test('refuses a future month and identical months', async () => {
    const future = await call('compare-costs', { comparison_month: '2026-12' });
    expect(future.result.isError).toBe(true);
    expect(future.text).toContain('comparison_month 2026-12 is in the future; the latest month is 2026-11');
    const same = await call('compare-costs', { baseline_month: '2026-10', comparison_month: '2026-10' });
    expect(same.result.isError).toBe(true);
    expect(same.text).toContain('both 2026-10');
    const old = await call('compare-costs', { baseline_month: '2025-09' });
    expect(old.result.isError).toBe(true);
    expect(old.text).toContain('reach back to 2025-10');
  });

  test('signs a member-account comparison with the assumed role', async () => {
    fake.on('ce:GetCostAndUsageComparisons', () => ({ CostAndUsageComparisons: [] }));
    const { result, data } = await call('compare-costs', { target_account_id: MEMBER });
    expect(result.isError).toBeFalsy();
    expect(data.account_id).toBe(MEMBER);
    const [req] = fake.callsTo('ce:GetCostAndUsageComparisons');
    expect(req.accessKeyId).toBe(assumedAccessKey(MEMBER));
  });

  test('names the denied action when Cost Explorer refuses', async () => {
    fake.on('ce:GetCostAndUsageComparisons', () =>
      awsError(
        'AccessDeniedException',
        `User: arn:aws:sts::${OWN_ACCOUNT}:assumed-role/exec/x is not authorized to perform: ` +
          'ce:GetCostAndUsageComparisons on resource: arn:aws:ce:us-east-1:111111111111:/GetCostAndUsageComparisons',
      ),
    );
    const { result, text } = await call('compare-costs', { refresh: true });
    expect(result.isError).toBe(true);
    expect(text).toContain(`Access denied for ce:GetCostAndUsageComparisons in account ${OWN_ACCOUNT}`);
    expect(text).not.toMatch(/\n\s+at /);
  });
});

describe('get-cost-drivers', () => {
  const drivers = {
    CostComparisonDrivers: [
      {
        CostSelector: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Simple Storage Service'] } },
        Metrics: { UnblendedCost: cmp('200', '180.25') },
        CostDrivers: [
          {
            Type: 'USAGE_CHANGE',
            Name: 'USE1-TimedStorage-ByteHrs',
            Metrics: {
              UnblendedCost: cmp('200', '180.25'),
              UsageQuantity: cmp('8695.65', '7836.95', 'GB-Mo'),
            },
          },
        ],
      },
      {
        CostSelector: { Dimensions: { Key: 'SERVICE', Values: [EC2] } },
        Metrics: { UnblendedCost: cmp('1000', '1250.5') },
        CostDrivers: [
          {
            Type: 'SAVINGS_PLAN_USAGE',
            Name: 'ComputeSavingsPlans',
            Metrics: { UnblendedCost: cmp('600', '560') },
          },
          {
            Type: 'USAGE_CHANGE',
            Name: 'USE1-BoxUsage:m5.large',
            Metrics: {
              UnblendedCost: cmp('400', '690.5'),
              UsageQuantity: cmp('4166.6667', '7192.7083', 'Hrs'),
            },
          },
        ],
      },
    ],
  };

  test('ranks drivers by absolute cost change with their usage deltas', async () => {
    fake.on('ce:GetCostComparisonDrivers', () => drivers);
    const { result, data, text } = await call('get-cost-drivers', { limit: 2 });
    expect(result.isError).toBeFalsy();
    const [req] = fake.callsTo('ce:GetCostComparisonDrivers');
    expect(req.body).toEqual({
      BaselineTimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
      ComparisonTimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      MetricForComparison: 'UnblendedCost',
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      Filter: NO_CREDITS,
    });
    // +290.5 (72.625% → 72.6), −40 (−6.67%); the S3 driver (−19.75) is the third and is cut by limit 2.
    expect(data.drivers).toEqual([
      {
        group: EC2,
        type: 'USAGE_CHANGE',
        name: 'USE1-BoxUsage:m5.large',
        cost: { baseline: '400', comparison: '690.5', difference: '290.5', unit: 'USD' },
        percent_change: '72.6',
        usage: [
          {
            metric: 'UsageQuantity',
            baseline: '4166.6667',
            comparison: '7192.7083',
            difference: '3026.0416',
            unit: 'Hrs',
          },
        ],
      },
      {
        group: EC2,
        type: 'SAVINGS_PLAN_USAGE',
        name: 'ComputeSavingsPlans',
        cost: { baseline: '600', comparison: '560', difference: '-40', unit: 'USD' },
        percent_change: '-6.7',
        usage: [],
      },
    ]);
    expect(data.driver_count).toBe(3);
    expect(data.groups.map((g: Data) => [g.group, g.difference])).toEqual([
      [EC2, '250.5'],
      ['Amazon Simple Storage Service', '-19.75'],
    ]);
    // 250.5 − 19.75 = 230.75
    expect(text).toContain('changed by +230.75 USD in all');
    expect(text).toContain('(1 smaller drivers: -19.75 USD together.)');
  });

  test('explains DataUnavailableException as missing Cost Explorer data', async () => {
    fake.on('ce:GetCostComparisonDrivers', () =>
      awsError('DataUnavailableException', 'Data is not available for the requested time period'),
    );
    const { result, text } = await call('get-cost-drivers', { comparison_month: '2026-08' });
    expect(result.isError).toBe(true);
    expect(text).toContain(`Cost Explorer has no data for this request in account ${OWN_ACCOUNT}`);
    expect(text).toContain('Data is not available for the requested time period');
  });
});

describe('get-anomalies', () => {
  const monitor = 'arn:aws:ce::111111111111:anomalymonitor/0b7b6a1c-1111-2222-3333-444455556666';

  test('converts the exclusive end to the inclusive EndDate and ranks anomalies by total impact', async () => {
    fake.on('ce:GetAnomalies', () => ({
      Anomalies: [
        {
          AnomalyId: 'a-2',
          AnomalyStartDate: '2026-11-20',
          DimensionValue: 'AWS Lambda',
          AnomalyScore: { MaxScore: 0.4, CurrentScore: 0.4 },
          Impact: { MaxImpact: 15.1, TotalImpact: 15.1, TotalActualSpend: 45.1, TotalExpectedSpend: 30 },
          MonitorArn: monitor,
          RootCauses: [{ Service: 'AWS Lambda', Region: 'eu-west-1', UsageType: 'EU-Request' }],
        },
        {
          AnomalyId: 'a-1',
          AnomalyStartDate: '2026-11-02',
          AnomalyEndDate: '2026-11-04',
          DimensionValue: EC2,
          AnomalyScore: { MaxScore: 0.9, CurrentScore: 0.2 },
          Impact: {
            MaxImpact: 80.5,
            TotalImpact: 120.75,
            TotalActualSpend: 320.75,
            TotalExpectedSpend: 200,
            TotalImpactPercentage: 60.375,
          },
          MonitorArn: monitor,
          Feedback: 'YES',
          RootCauses: [
            {
              Service: EC2,
              LinkedAccount: MEMBER,
              LinkedAccountName: 'prod',
              Region: 'us-east-1',
              UsageType: 'BoxUsage:p4d.24xlarge',
              Impact: { Contribution: 120.75 },
            },
          ],
        },
      ],
    }));
    fake.on('ce:GetAnomalyMonitors', () => ({
      AnomalyMonitors: [
        { MonitorArn: monitor, MonitorName: 'Default services monitor', MonitorType: 'DIMENSIONAL' },
      ],
    }));
    const { result, data, text } = await call('get-anomalies', { min_total_impact: 10 });
    expect(result.isError).toBeFalsy();

    const [req] = fake.callsTo('ce:GetAnomalies');
    // last_30_days = 2026-10-25 .. 2026-11-24 (exclusive) → EndDate 2026-11-23 (inclusive).
    expect(req.body).toEqual({
      DateInterval: { StartDate: '2026-10-25', EndDate: '2026-11-23' },
      TotalImpact: { NumericOperator: 'GREATER_THAN_OR_EQUAL', StartValue: 10 },
    });
    expect(fake.callsTo('ce:GetAnomalyMonitors')[0].body.MonitorArnList).toEqual([monitor]);
    expect(data.range).toEqual({ start: '2026-10-25', end: '2026-11-24' });
    // 120.75 + 15.1
    expect(data.total_impact).toBe('135.85');
    expect(data.anomaly_count).toBe(2);
    expect(data.anomalies[0]).toEqual({
      id: 'a-1',
      start_date: '2026-11-02',
      end_date: '2026-11-04',
      dimension_value: EC2,
      monitor_arn: monitor,
      monitor_name: 'Default services monitor',
      total_impact: '120.75',
      max_impact: '80.5',
      total_actual_spend: '320.75',
      total_expected_spend: '200',
      impact_percentage: '60.4',
      max_score: 0.9,
      feedback: 'YES',
      root_causes: [
        {
          service: EC2,
          linked_account: MEMBER,
          linked_account_name: 'prod',
          region: 'us-east-1',
          usage_type: 'BoxUsage:p4d.24xlarge',
          contribution: '120.75',
        },
      ],
    });
    // No percentage from AWS: 15.1 / 30 = 50.33…% computed.
    expect(data.anomalies[1]).toMatchObject({ id: 'a-2', impact_percentage: '50.3', total_impact: '15.1' });
    expect(data.anomalies[1].end_date).toBeUndefined();
    expect(text).toContain('2 cost anomalies');
    expect(text).toContain('ongoing');
  });

  test('sends an explicit range with its last day as EndDate, and the monitor and feedback filters', async () => {
    fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
    const { result, data, text } = await call('get-anomalies', {
      start_date: '2026-11-01',
      end_date: '2026-11-08',
      monitor_arn: monitor,
      feedback: 'NO',
    });
    expect(result.isError).toBeFalsy();
    expect(fake.callsTo('ce:GetAnomalies')[0].body).toEqual({
      DateInterval: { StartDate: '2026-11-01', EndDate: '2026-11-07' },
      MonitorArn: monitor,
      Feedback: 'NO',
    });
    expect(fake.callsTo('ce:GetAnomalyMonitors')).toHaveLength(0);
    expect(data.anomaly_count).toBe(0);
    expect(text).toContain('No cost anomalies');
  });

  test('adds up the anomaly impact of several accounts exactly', async () => {
    fake.on('ce:GetAnomalies', (_body, c) => ({
      Anomalies: [
        {
          AnomalyId: `a-${c.accessKeyId}`,
          AnomalyStartDate: '2026-11-10',
          AnomalyScore: { MaxScore: 0.5, CurrentScore: 0.5 },
          Impact: { MaxImpact: 0.1, TotalImpact: c.accessKeyId === BASE_ACCESS_KEY ? 0.1 : 0.2 },
          MonitorArn: monitor,
        },
      ],
    }));
    fake.on('ce:GetAnomalyMonitors', () => ({ AnomalyMonitors: [] }));
    const { result, data } = await call('get-anomalies', {
      target_account_ids: [OWN_ACCOUNT, MEMBER],
      period: 'last_7_days',
    });
    expect(result.isError).toBeFalsy();
    expect(data.accounts.map((a: Data) => [a.account_id, a.total])).toEqual([
      [OWN_ACCOUNT, { amount: '0.1', unit: 'USD' }],
      [MEMBER, { amount: '0.2', unit: 'USD' }],
    ]);
    // 0.1 + 0.2 in floats would be 0.30000000000000004.
    expect(data.combined_total).toEqual({ amount: '0.3', unit: 'USD', accounts: 2 });
  });

  test('refuses a start beyond the 90 days of anomaly history', async () => {
    const { result, text } = await call('get-anomalies', {
      start_date: '2026-08-01',
      end_date: '2026-09-01',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('more than 90 days back');
    expect(text).toContain('2026-08-26');
    expect(fake.callsTo('ce:GetAnomalies')).toHaveLength(0);
  });
});

describe('get-budgets', () => {
  const nov1 = 1793491200; // 2026-11-01T00:00:00Z, as Budgets' JSON timestamps are epoch seconds
  const end = 3706473600; // 2087-06-15, AWS's "no end"
  const budget = (
    name: string,
    type: string,
    limit: string,
    actual: string,
    forecast?: string,
    unit = 'USD',
  ) => ({
    BudgetName: name,
    BudgetType: type,
    TimeUnit: 'MONTHLY',
    BudgetLimit: { Amount: limit, Unit: unit },
    CalculatedSpend: {
      ActualSpend: { Amount: actual, Unit: unit },
      ...(forecast ? { ForecastedSpend: { Amount: forecast, Unit: unit } } : {}),
    },
    TimePeriod: { Start: nov1, End: end },
  });

  test('reads every page for the own account id and ranks exceeded budgets first', async () => {
    fake.on('budgets:DescribeBudgets', (body) =>
      body.NextToken === 't2'
        ? {
            Budgets: [
              budget('S3', 'COST', '200', '20', '40'),
              budget('RI utilization', 'RI_UTILIZATION', '80', '72.5', undefined, 'PERCENTAGE'),
            ],
          }
        : {
            Budgets: [
              budget('EC2', 'COST', '500', '300.3', '650.8'),
              budget('Total', 'COST', '1000', '1100.55', '1300'),
            ],
            NextToken: 't2',
          },
    );
    const { result, data, text } = await call('get-budgets');
    expect(result.isError).toBeFalsy();
    const calls = fake.callsTo('budgets:DescribeBudgets');
    expect(calls.map((c) => [c.body.AccountId, c.body.NextToken])).toEqual([
      [OWN_ACCOUNT, undefined],
      [OWN_ACCOUNT, 't2'],
    ]);
    expect(calls[0].headers['x-amz-target']).toBe('AWSBudgetServiceGateway.DescribeBudgets');
    expect(calls[0].accessKeyId).toBe(BASE_ACCESS_KEY);

    expect(data.status_counts).toEqual({
      exceeded: 1,
      forecast_to_exceed: 1,
      ok: 1,
      below_target: 1,
      no_limit: 0,
    });
    expect(data.budgets.map((b: Data) => [b.name, b.status])).toEqual([
      ['Total', 'exceeded'],
      ['EC2', 'forecast_to_exceed'],
      ['RI utilization', 'below_target'],
      ['S3', 'ok'],
    ]);
    // 1100.55 / 1000 = 110.055 %; 1000 − 1100.55 = −100.55; 1300 / 1000 = 130 %.
    expect(data.budgets[0]).toEqual({
      name: 'Total',
      type: 'COST',
      time_unit: 'MONTHLY',
      unit: 'USD',
      limit: '1000',
      actual: '1100.55',
      forecast: '1300',
      percent_used: '110.1',
      forecast_percent: '130.0',
      remaining: '-100.55',
      status: 'exceeded',
      period_start: '2026-11-01',
      period_end: '2087-06-15',
    });
    // 300.3 / 500 = 60.06 %; 650.8 / 500 = 130.16 %.
    expect(data.budgets[1]).toMatchObject({
      percent_used: '60.1',
      forecast_percent: '130.2',
      remaining: '199.7',
    });
    // A utilization budget is a floor: 72.5 under 80 is below target, 90.625 % of it; no "remaining".
    expect(data.budgets[2]).toMatchObject({ percent_used: '90.6', unit: 'PERCENTAGE' });
    expect(data.budgets[2].remaining).toBeUndefined();
    expect(text).toContain('4 budgets: 1 exceeded, 1 forecast to exceed, 1 below target, 1 ok.');
  });

  test('queries a member account with its own id, signed by the assumed role for budgets', async () => {
    fake.on('budgets:DescribeBudgets', () => ({ Budgets: [budget('Team', 'COST', '100', '10', '20')] }));
    const { result, data } = await call('get-budgets', { target_account_id: MEMBER });
    expect(result.isError).toBeFalsy();
    const [req] = fake.callsTo('budgets:DescribeBudgets');
    expect(req.body.AccountId).toBe(MEMBER);
    expect(req.accessKeyId).toBe(assumedAccessKey(MEMBER));
    expect(req.service).toBe('budgets');
    expect(data.budgets[0]).toMatchObject({ name: 'Team', status: 'ok', percent_used: '10.0' });
  });

  test('answers plainly, not as an error, when the account has no budgets', async () => {
    fake.on('budgets:DescribeBudgets', () =>
      awsError(
        'NotFoundException',
        `[Exception=NotFoundException] Unable to get budgets for account ${OWN_ACCOUNT}`,
      ),
    );
    const { result, data, text } = await call('get-budgets', { refresh: true });
    expect(result.isError).toBeFalsy();
    expect(data.budget_count).toBe(0);
    expect(data.budgets).toEqual([]);
    expect(text).toContain(`Account ${OWN_ACCOUNT} has no AWS Budgets.`);
  });

  test('answers several accounts in one call, each with its own account id', async () => {
    fake.on('budgets:DescribeBudgets', (body) =>
      body.AccountId === MEMBER
        ? { Budgets: [budget('Team', 'COST', '100', '120.5')] }
        : awsError('NotFoundException', `Unable to get budgets for account ${String(body.AccountId)}`),
    );
    const { result, data } = await call('get-budgets', {
      target_account_ids: [OWN_ACCOUNT, MEMBER],
      refresh: true,
    });
    expect(result.isError).toBeFalsy();
    expect(data.accounts.map((a: Data) => [a.account_id, a.ok, a.answer.budget_count])).toEqual([
      [OWN_ACCOUNT, true, 0],
      [MEMBER, true, 1],
    ]);
    expect(data.accounts[1].answer.budgets[0]).toMatchObject({
      name: 'Team',
      status: 'exceeded',
      remaining: '-20.5',
    });
    const calls = fake.callsTo('budgets:DescribeBudgets');
    expect(calls.map((c) => [c.body.AccountId, c.accessKeyId]).sort()).toEqual([
      [OWN_ACCOUNT, BASE_ACCESS_KEY],
      [MEMBER, assumedAccessKey(MEMBER)],
    ]);
  });

  test('names budgets:ViewBudget when access is denied', async () => {
    fake.on('budgets:DescribeBudgets', () =>
      awsError(
        'AccessDeniedException',
        `User: arn:aws:sts::${OWN_ACCOUNT}:assumed-role/exec/x is not authorized to perform: budgets:ViewBudget on ` +
          `resource: arn:aws:budgets::${OWN_ACCOUNT}:budget/*`,
      ),
    );
    const { result, text } = await call('get-budgets', { refresh: true });
    expect(result.isError).toBe(true);
    expect(text).toContain(`Access denied for budgets:ViewBudget in account ${OWN_ACCOUNT}`);
  });
});

describe('get-reservation-coverage', () => {
  test('never sends Granularity with GroupBy and ranks groups by uncovered on-demand cost', async () => {
    fake.on('ce:GetReservationCoverage', () => ({
      CoveragesByTime: [
        {
          TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
          Groups: [
            {
              Attributes: { instanceType: 'm5.large' },
              Coverage: {
                CoverageHours: {
                  OnDemandHours: '200',
                  ReservedHours: '544',
                  TotalRunningHours: '744',
                  CoverageHoursPercentage: '73.11827956989247',
                },
                CoverageCost: { OnDemandCost: '19.2' },
              },
            },
            {
              Attributes: { instanceType: 'c5.xlarge' },
              Coverage: {
                CoverageHours: {
                  OnDemandHours: '744',
                  ReservedHours: '0',
                  TotalRunningHours: '744',
                  CoverageHoursPercentage: '0',
                },
                CoverageCost: { OnDemandCost: '126.48' },
              },
            },
          ],
        },
      ],
      Total: {
        CoverageHours: {
          OnDemandHours: '944',
          ReservedHours: '544',
          TotalRunningHours: '1488',
          CoverageHoursPercentage: '36.55913978494624',
        },
        CoverageCost: { OnDemandCost: '145.68' },
      },
    }));
    const { result, data, text } = await call('get-reservation-coverage', {
      group_by: 'INSTANCE_TYPE',
      granularity: 'DAILY',
    });
    expect(result.isError).toBeFalsy();
    const [req] = fake.callsTo('ce:GetReservationCoverage');
    expect(req.body).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      GroupBy: [{ Type: 'DIMENSION', Key: 'INSTANCE_TYPE' }],
      Filter: { Dimensions: { Key: 'SERVICE', Values: [EC2] } },
    });
    expect(req.body).not.toHaveProperty('Granularity');
    expect(data.granularity).toBeUndefined();
    expect(data.total).toEqual({
      coverage_hours_percentage: '36.55913978494624',
      reserved_hours: '544',
      on_demand_hours: '944',
      total_running_hours: '1488',
      on_demand_cost: '145.68',
    });
    expect(data.groups.map((g: Data) => [g.key, g.on_demand_cost, g.coverage_hours_percentage])).toEqual([
      ['c5.xlarge', '126.48', '0'],
      ['m5.large', '19.2', '73.11827956989247'],
    ]);
    expect(text).toContain('36.56% of running hours');
    expect(text).toContain('granularity DAILY was not sent: AWS rejects Granularity together with GroupBy');
  });

  test('sends MONTHLY granularity when not grouped, for the chosen service', async () => {
    fake.on('ce:GetReservationCoverage', () => ({
      CoveragesByTime: [
        {
          TimePeriod: { Start: '2026-08-01', End: '2026-09-01' },
          Total: {
            CoverageHours: {
              ReservedHours: '10',
              OnDemandHours: '10',
              TotalRunningHours: '20',
              CoverageHoursPercentage: '50',
            },
          },
        },
      ],
      Total: {
        CoverageHours: {
          ReservedHours: '10',
          OnDemandHours: '10',
          TotalRunningHours: '20',
          CoverageHoursPercentage: '50',
        },
      },
    }));
    const { data } = await call('get-reservation-coverage', {
      period: 'last_3_months',
      service: 'Amazon Relational Database Service',
    });
    expect(fake.callsTo('ce:GetReservationCoverage')[0].body).toEqual({
      TimePeriod: { Start: '2026-08-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Relational Database Service'] } },
    });
    expect(data.periods).toEqual([
      {
        start: '2026-08-01',
        end: '2026-09-01',
        coverage_hours_percentage: '50',
        reserved_hours: '10',
        on_demand_hours: '10',
        total_running_hours: '20',
        on_demand_cost: '0',
      },
    ]);
  });
});

describe('get-reservation-utilization', () => {
  test('lists each reservation without Granularity, most wasted first', async () => {
    const agg = (
      pct: string,
      purchased: string,
      used: string,
      unused: string,
      unusedCost: string,
      net: string,
    ) => ({
      UtilizationPercentage: pct,
      PurchasedHours: purchased,
      TotalActualHours: used,
      UnusedHours: unused,
      RICostForUnusedHours: unusedCost,
      NetRISavings: net,
      TotalAmortizedFee: '0',
    });
    fake.on('ce:GetReservationUtilization', () => ({
      UtilizationsByTime: [
        {
          TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
          Groups: [
            {
              Key: 'SubscriptionId',
              Value: 'sub-2',
              Attributes: { instanceType: 'c5.large', region: 'us-east-1' },
              Utilization: agg('100', '744', '744', '0', '0', '40.2'),
            },
            {
              Key: 'SubscriptionId',
              Value: 'sub-1',
              Attributes: { instanceType: 'm5.large', region: 'us-east-1', numberOfInstances: '2' },
              Utilization: agg('50', '1488', '744', '744', '35.71', '-10.5'),
            },
          ],
        },
      ],
      Total: agg('66.66666666666667', '2232', '1488', '744', '35.71', '29.7'),
    }));
    const { result, data, text } = await call('get-reservation-utilization', {
      group_by: 'SUBSCRIPTION_ID',
      service: EC2,
    });
    expect(result.isError).toBeFalsy();
    const [req] = fake.callsTo('ce:GetReservationUtilization');
    expect(req.body).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      GroupBy: [{ Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID' }],
      Filter: { Dimensions: { Key: 'SERVICE', Values: [EC2] } },
    });
    expect(req.body).not.toHaveProperty('Granularity');
    expect(data.total).toMatchObject({
      utilization_percentage: '66.66666666666667',
      unused_cost: '35.71',
      net_savings: '29.7',
    });
    expect(data.reservations.map((r: Data) => [r.subscription_id, r.unused_hours, r.unused_cost])).toEqual([
      ['sub-1', '744', '35.71'],
      ['sub-2', '0', '0'],
    ]);
    expect(text).toContain('66.67%');
    expect(text).toContain('m5.large · us-east-1 · 2');
  });
});

describe('get-savings-plans-coverage', () => {
  test('sums monthly coverage exactly and recomputes the total percentage', async () => {
    const row = (start: string, end: string, covered: string, od: string, total: string, pct: string) => ({
      TimePeriod: { Start: start, End: end },
      Attributes: {},
      Coverage: {
        SpendCoveredBySavingsPlans: covered,
        OnDemandCost: od,
        TotalCost: total,
        CoveragePercentage: pct,
      },
    });
    fake.on('ce:GetSavingsPlansCoverage', () => ({
      SavingsPlansCoverages: [
        row('2026-08-01', '2026-09-01', '60', '40', '100', '60'),
        row('2026-09-01', '2026-10-01', '70.5', '29.5', '100', '70.5'),
        row('2026-10-01', '2026-11-01', '80.25', '119.75', '200', '40.125'),
      ],
    }));
    const { data, text } = await call('get-savings-plans-coverage', { period: 'last_3_months' });
    expect(fake.callsTo('ce:GetSavingsPlansCoverage')[0].body).toEqual({
      TimePeriod: { Start: '2026-08-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
    });
    // 60 + 70.5 + 80.25 = 210.75 of 400 → 52.6875 %.
    expect(data.total).toEqual({
      coverage_percentage: '52.7',
      covered_spend: '210.75',
      on_demand_cost: '189.25',
      total_cost: '400',
    });
    expect(data.periods.map((p: Data) => [p.start, p.coverage_percentage])).toEqual([
      ['2026-08-01', '60'],
      ['2026-09-01', '70.5'],
      ['2026-10-01', '40.125'],
    ]);
    expect(text).toContain('52.70%');
  });

  test('groups by service over every page with no Granularity in any request', async () => {
    const row = (service: string, covered: string, od: string, total: string, pct: string) => ({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Attributes: { SERVICE: service },
      Coverage: {
        SpendCoveredBySavingsPlans: covered,
        OnDemandCost: od,
        TotalCost: total,
        CoveragePercentage: pct,
      },
    });
    fake.on('ce:GetSavingsPlansCoverage', (body) =>
      body.NextToken === 'n2'
        ? { SavingsPlansCoverages: [row('AWS Fargate', '20', '80', '100', '20')] }
        : {
            SavingsPlansCoverages: [
              row(EC2, '150', '50', '200', '75'),
              row('AWS Lambda', '0', '12.5', '12.5', '0'),
            ],
            NextToken: 'n2',
          },
    );
    const { data } = await call('get-savings-plans-coverage', {
      group_by: 'SERVICE',
      granularity: 'MONTHLY',
    });
    const calls = fake.callsTo('ce:GetSavingsPlansCoverage');
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.body).not.toHaveProperty('Granularity');
      expect(c.body.GroupBy).toEqual([{ Type: 'DIMENSION', Key: 'SERVICE' }]);
    }
    expect(calls[1].body.NextToken).toBe('n2');
    expect(data.groups.map((g: Data) => [g.key, g.on_demand_cost, g.coverage_percentage])).toEqual([
      ['AWS Fargate', '80', '20'],
      [EC2, '50', '75'],
      ['AWS Lambda', '12.5', '0'],
    ]);
    // 170 of 312.5 = 54.4 %.
    expect(data.total).toMatchObject({
      covered_spend: '170',
      on_demand_cost: '142.5',
      coverage_percentage: '54.4',
    });
  });

  test('ends month_to_date at today, which these APIs accept, and says so', async () => {
    fake.on('ce:GetSavingsPlansCoverage', () => ({ SavingsPlansCoverages: [] }));
    const { result, data, text } = await call('get-savings-plans-coverage', { period: 'month_to_date' });
    expect(result.isError).toBeFalsy();
    expect(fake.callsTo('ce:GetSavingsPlansCoverage')[0].body.TimePeriod).toEqual({
      Start: '2026-11-01',
      End: '2026-11-24',
    });
    expect(data.has_data).toBe(false);
    expect(text).toContain("today's data is not available");
  });
});

describe('get-savings-plans-utilization', () => {
  const util = (total: string, used: string, unused: string, pct: string) => ({
    TotalCommitment: total,
    UsedCommitment: used,
    UnusedCommitment: unused,
    UtilizationPercentage: pct,
  });

  test('answers the utilization and, with include_details, each plan by unused commitment', async () => {
    const summary = {
      Utilization: util('744', '700.5', '43.5', '94.15322580645161'),
      Savings: { NetSavings: '210.3', OnDemandCostEquivalent: '910.8' },
    };
    fake.on('ce:GetSavingsPlansUtilization', () => ({
      SavingsPlansUtilizationsByTime: [
        { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, ...summary },
      ],
      Total: summary,
    }));
    fake.on('ce:GetSavingsPlansUtilizationDetails', () => ({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      SavingsPlansUtilizationDetails: [
        {
          SavingsPlanArn: 'arn:aws:savingsplans::111111111111:savingsplan/sp-1',
          Attributes: { savingsPlansType: 'ComputeSavingsPlans', term: '1yr', paymentOption: 'No Upfront' },
          Utilization: util('372', '372', '0', '100'),
          Savings: { NetSavings: '150.1' },
        },
        {
          SavingsPlanArn: 'arn:aws:savingsplans::111111111111:savingsplan/sp-2',
          Attributes: {
            savingsPlansType: 'EC2InstanceSavingsPlans',
            region: 'us-east-1',
            instanceFamily: 'm5',
          },
          Utilization: util('372', '328.5', '43.5', '88.30645161290323'),
          Savings: { NetSavings: '60.2' },
        },
      ],
    }));
    const { result, data, text } = await call('get-savings-plans-utilization', { include_details: true });
    expect(result.isError).toBeFalsy();
    expect(fake.callsTo('ce:GetSavingsPlansUtilization')[0].body).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
    });
    expect(fake.callsTo('ce:GetSavingsPlansUtilizationDetails')[0].body).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
    });
    expect(data.total).toEqual({
      utilization_percentage: '94.15322580645161',
      total_commitment: '744',
      used_commitment: '700.5',
      unused_commitment: '43.5',
      net_savings: '210.3',
      on_demand_cost_equivalent: '910.8',
    });
    expect(data.savings_plans).toEqual([
      {
        arn: 'arn:aws:savingsplans::111111111111:savingsplan/sp-2',
        type: 'EC2InstanceSavingsPlans',
        region: 'us-east-1',
        instance_family: 'm5',
        utilization_percentage: '88.30645161290323',
        total_commitment: '372',
        used_commitment: '328.5',
        unused_commitment: '43.5',
        net_savings: '60.2',
      },
      {
        arn: 'arn:aws:savingsplans::111111111111:savingsplan/sp-1',
        type: 'ComputeSavingsPlans',
        term: '1yr',
        payment_option: 'No Upfront',
        utilization_percentage: '100',
        total_commitment: '372',
        used_commitment: '372',
        unused_commitment: '0',
        net_savings: '150.1',
      },
    ]);
    expect(text).toContain('94.15%');
  });

  test('answers "no Savings Plans" rather than an error when Cost Explorer has no data', async () => {
    fake.on('ce:GetSavingsPlansUtilization', () =>
      awsError('DataUnavailableException', 'No Savings Plans utilization data'),
    );
    const { result, data, text } = await call('get-savings-plans-utilization', { refresh: true });
    expect(result.isError).toBeFalsy();
    expect(data.has_data).toBe(false);
    expect(text).toContain(`No Savings Plans for account ${OWN_ACCOUNT}`);
    expect(fake.callsTo('ce:GetSavingsPlansUtilizationDetails')).toHaveLength(0);
  });
});

describe('get-purchase-recommendations', () => {
  test('ranks Savings Plans recommendations by monthly savings with exact break-even months', async () => {
    fake.on('ce:GetSavingsPlansPurchaseRecommendation', () => ({
      Metadata: { RecommendationId: 'r-1', GenerationTimestamp: '2026-11-23T08:00:00Z' },
      SavingsPlansPurchaseRecommendation: {
        SavingsPlansType: 'COMPUTE_SP',
        SavingsPlansPurchaseRecommendationDetails: [
          {
            AccountId: OWN_ACCOUNT,
            UpfrontCost: '1314',
            EstimatedMonthlySavingsAmount: '219',
            EstimatedSavingsPercentage: '30.5',
            HourlyCommitmentToPurchase: '0.5',
            CurrencyCode: 'USD',
          },
          {
            AccountId: MEMBER,
            UpfrontCost: '500',
            EstimatedMonthlySavingsAmount: '300',
            EstimatedSavingsPercentage: '26.9',
            HourlyCommitmentToPurchase: '0.4',
            CurrencyCode: 'USD',
          },
        ],
        SavingsPlansPurchaseRecommendationSummary: {
          EstimatedMonthlySavingsAmount: '519',
          EstimatedSavingsPercentage: '28.4',
          HourlyCommitmentToPurchase: '0.9',
          CurrentOnDemandSpend: '1830.2',
          CurrencyCode: 'USD',
        },
      },
    }));
    const { result, data, text } = await call('get-purchase-recommendations', {
      payment_option: 'PARTIAL_UPFRONT',
      term: 'THREE_YEARS',
    });
    expect(result.isError).toBeFalsy();
    expect(fake.callsTo('ce:GetSavingsPlansPurchaseRecommendation')[0].body).toEqual({
      SavingsPlansType: 'COMPUTE_SP',
      TermInYears: 'THREE_YEARS',
      PaymentOption: 'PARTIAL_UPFRONT',
      LookbackPeriodInDays: 'THIRTY_DAYS',
      AccountScope: 'PAYER',
    });
    // 500 / 300 = 1.67 months; 1314 / 219 = 6 months; together 1814 / 519 = 3.495… months.
    expect(
      data.recommendations.map((r: Data) => [r.account_id, r.estimated_monthly_savings, r.break_even_months]),
    ).toEqual([
      [MEMBER, '300', '1.7'],
      [OWN_ACCOUNT, '219', '6.0'],
    ]);
    expect(data).toMatchObject({
      estimated_monthly_savings: '519',
      estimated_savings_percentage: '28.4',
      total_upfront_cost: '1814',
      break_even_months: '3.5',
      hourly_commitment: '0.9',
      recommendation_count: 2,
    });
    expect(text).toContain('would save an estimated 519.00 USD per month (28.4%)');
  });

  test('asks Cost Explorer for RDS reservations and computes break-even from upfront and savings', async () => {
    fake.on('ce:GetReservationPurchaseRecommendation', () => ({
      Recommendations: [
        {
          RecommendationDetails: [
            {
              InstanceDetails: {
                RDSInstanceDetails: {
                  InstanceType: 'db.r6g.large',
                  Region: 'US East (N. Virginia)',
                  DatabaseEngine: 'PostgreSQL',
                  DeploymentOption: 'Multi-AZ',
                },
              },
              RecommendedNumberOfInstancesToPurchase: '2',
              UpfrontCost: '3000',
              EstimatedMonthlySavingsAmount: '125',
              EstimatedMonthlySavingsPercentage: '35.2',
              EstimatedMonthlyOnDemandCost: '355.1',
              EstimatedBreakEvenInMonths: '23.99',
            },
          ],
          RecommendationSummary: {
            TotalEstimatedMonthlySavingsAmount: '125',
            TotalEstimatedMonthlySavingsPercentage: '35.2',
            CurrencyCode: 'USD',
          },
        },
      ],
    }));
    const { result, data } = await call('get-purchase-recommendations', {
      kind: 'RESERVED_INSTANCES',
      service: 'Amazon Relational Database Service',
      payment_option: 'ALL_UPFRONT',
      lookback: 'SIXTY_DAYS',
    });
    expect(result.isError).toBeFalsy();
    expect(fake.callsTo('ce:GetReservationPurchaseRecommendation')[0].body).toEqual({
      Service: 'Amazon Relational Database Service',
      TermInYears: 'ONE_YEAR',
      PaymentOption: 'ALL_UPFRONT',
      LookbackPeriodInDays: 'SIXTY_DAYS',
      AccountScope: 'PAYER',
    });
    // 3000 / 125 = 24 months.
    expect(data.recommendations).toEqual([
      {
        description: 'db.r6g.large (US East (N. Virginia), PostgreSQL, Multi-AZ)',
        quantity: '2',
        upfront_cost: '3000',
        estimated_monthly_savings: '125',
        estimated_savings_percentage: '35.2',
        estimated_monthly_on_demand_cost: '355.1',
        break_even_months: '24.0',
      },
    ]);
    expect(data.parameters).toEqual({
      service: 'Amazon Relational Database Service',
      term: 'ONE_YEAR',
      payment_option: 'ALL_UPFRONT',
      lookback: 'SIXTY_DAYS',
      account_scope: 'PAYER',
    });
  });

  test('sends the EC2 offering class and says when nothing is recommended', async () => {
    fake.on('ce:GetReservationPurchaseRecommendation', () => ({ Recommendations: [] }));
    const { result, data, text } = await call('get-purchase-recommendations', {
      kind: 'RESERVED_INSTANCES',
      offering_class: 'CONVERTIBLE',
    });
    expect(result.isError).toBeFalsy();
    expect(fake.callsTo('ce:GetReservationPurchaseRecommendation')[0].body).toMatchObject({
      Service: EC2,
      ServiceSpecification: { EC2Specification: { OfferingClass: 'CONVERTIBLE' } },
    });
    expect(data.has_recommendations).toBe(false);
    expect(text).toContain(
      'No Amazon Elastic Compute Cloud - Compute convertible Reserved Instances recommended',
    );
  });

  test('rejects a reservation service given with kind SAVINGS_PLANS', async () => {
    const { result, text } = await call('get-purchase-recommendations', { service: EC2 });
    expect(result.isError).toBe(true);
    expect(text).toContain('service applies to RESERVED_INSTANCES');
    expect(fake.calls.filter((c) => c.service === 'ce')).toHaveLength(0);
  });
});
