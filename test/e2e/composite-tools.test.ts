import { awsError, BASE_ACCESS_KEY, FakeAws, OWN_ACCOUNT, type RecordedCall } from '../fake-aws/fake-aws';
import Decimal from 'decimal.js';
import { costLedger, type LedgerEntry } from '../fake-aws/cost-ledger';
import { startServer, textOf, useServer } from './harness';

// The server's clock is 2026-11-24T12:00:00Z (see the harness).
const MEMBER = '222222222222';
const { fake, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: MEMBER });

const usd = (amount: string) => ({ UnblendedCost: { Amount: amount, Unit: 'USD' } });
const day = (start: string, groups: [string, string][], estimated = false): LedgerEntry[] =>
  groups.map(([service, amount]) => ({ day: start, service, amount, estimated }));

/**
 * Daily costs by service from 2026-10-01 through today; Cost Explorer answers each of the summary's requests (months
 * ungrouped, months by service) from them.
 */
function dailyByService() {
  return costLedger([
    ...day('2026-10-03', [
      ['Amazon EC2', '100.10'],
      ['Amazon S3', '5.005'],
    ]),
    // The last day of the "same days of last month" window (1st to 24th).
    ...day('2026-10-24', [
      ['Amazon EC2', '0.0000000001'],
      ['AWS Lambda', '2'],
    ]),
    // After the window: counts in last month's total only.
    ...day('2026-10-25', [['Amazon EC2', '50']]),
    ...day('2026-10-31', [['AWS Support', '29']]),
    ...day('2026-11-01', [
      ['Amazon EC2', '120.2'],
      ['AWS Support', '29'],
    ]),
    ...day(
      '2026-11-24',
      [
        ['Amazon S3', '1.5'],
        ['AWS Lambda', '0.5'],
      ],
      true,
    ),
  ]);
}

function summaryFakes(f: FakeAws) {
  f.on('ce:GetCostAndUsage', dailyByService());
  f.on('ce:GetCostForecast', () => ({
    Total: { Amount: '300.5', Unit: 'USD' },
    ForecastResultsByTime: [
      {
        TimePeriod: { Start: '2026-11-24', End: '2026-12-01' },
        MeanValue: '300.5',
        PredictionIntervalLowerBound: '250.25',
        PredictionIntervalUpperBound: '350.75',
      },
    ],
  }));
  const anomaly = (id: string, impact: number, feedback?: string) => ({
    AnomalyId: id,
    AnomalyScore: { MaxScore: 0.9, CurrentScore: 0.5 },
    Impact: { MaxImpact: impact, TotalImpact: impact },
    MonitorArn: 'arn:aws:ce::111111111111:anomalymonitor/m1',
    ...(feedback ? { Feedback: feedback } : {}),
  });
  f.on('ce:GetAnomalies', () => ({
    Anomalies: [anomaly('a1', 10, 'YES'), anomaly('a2', 12.5), anomaly('a3', 0.25)],
  }));
  const budget = (name: string, limit: string, actual: string, forecast: string) => ({
    BudgetName: name,
    BudgetType: 'COST',
    TimeUnit: 'MONTHLY',
    BudgetLimit: { Amount: limit, Unit: 'USD' },
    CalculatedSpend: {
      ActualSpend: { Amount: actual, Unit: 'USD' },
      ForecastedSpend: { Amount: forecast, Unit: 'USD' },
    },
  });
  f.on('budgets:DescribeBudgets', () => ({
    Budgets: [
      budget('Monthly', '400', '151.2', '451.7'),
      budget('Team', '100', '120', '130'),
      budget('Dev', '1000', '10', '20'),
    ],
  }));
}

beforeEach(() => fake.reset());

describe('summarize-costs', () => {
  test('adds up month to date, the same days of last month, last month, forecast and movers exactly', async () => {
    summaryFakes(fake);
    const result = await client().callTool({ name: 'summarize-costs', arguments: {} });
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as Record<string, any>;
    // 120.2 + 29 + 1.5 + 0.5
    expect(data.month_to_date).toEqual({ start: '2026-11-01', end: '2026-11-25', amount: '151.2' });
    // 100.10 + 5.005 + 0.0000000001 + 2 (1st to 24th October)
    expect(data.last_month_same_days).toEqual({
      start: '2026-10-01',
      end: '2026-10-25',
      amount: '107.1050000001',
    });
    // 107.1050000001 + 50 + 29
    expect(data.last_month).toEqual({ start: '2026-10-01', end: '2026-11-01', amount: '186.1050000001' });
    // 151.2 − 107.1050000001 = 44.0949999999, which is 41.17…% of 107.1050000001
    expect(data.change_vs_last_month).toEqual({ amount: '44.0949999999', percent: '41.2' });
    expect(data.total).toEqual({ amount: '151.2', unit: 'USD' });
    expect(data.forecast).toEqual({
      start: '2026-11-24',
      end: '2026-12-01',
      mean: '300.5',
      lower: '250.25',
      upper: '350.75',
      level: 80,
    });
    // The forecast covers today, so the actual stops at yesterday: 120.2 + 29 (1 November; the 24th is today).
    // 149.2 + 300.5, + 250.25, + 350.75
    expect(data.projected_month_end).toEqual({
      actual_to_yesterday: '149.2',
      amount: '449.7',
      lower: '399.45',
      upper: '499.95',
    });
    expect(data.top_movers).toEqual([
      { service: 'AWS Support', month_to_date: '29', last_month_same_days: '0', change: '29' },
      {
        service: 'Amazon EC2',
        month_to_date: '120.2',
        last_month_same_days: '100.1000000001',
        change: '20.0999999999',
        percent_change: '20.1',
      },
      {
        service: 'Amazon S3',
        month_to_date: '1.5',
        last_month_same_days: '5.005',
        change: '-3.505',
        percent_change: '-70.0',
      },
      {
        service: 'AWS Lambda',
        month_to_date: '0.5',
        last_month_same_days: '2',
        change: '-1.5',
        percent_change: '-75.0',
      },
    ]);
    // a2 and a3 have no feedback: 12.5 + 0.25
    expect(data.anomalies).toEqual({
      start: '2026-10-25',
      end: '2026-11-24',
      count: 3,
      open_count: 2,
      open_impact: '12.75',
    });
    expect(data.budgets).toEqual({
      count: 3,
      exceeded: ['Team'],
      forecast_to_exceed: ['Monthly'],
      below_target: [],
      ok: 1,
    });
    expect(data.estimated).toBe(true);
    // Seven paid Cost Explorer requests; Budgets is free. Costs: both months' figures, the same days of last month,
    // the actual through yesterday, and the services of each window (item 6 of issue 10: each total is Cost
    // Explorer's figure for its period, where one daily request by service used to be added up); then the
    // forecast and the anomalies.
    expect(data.api).toMatchObject({ paid_requests: 7, cost_usd: '0.07' });

    const text = textOf(result);
    expect(text).toContain(
      `**Month to date for account ${OWN_ACCOUNT} (2026-11-01 through 2026-11-24): 151.2 USD** (estimated); ` +
        '+44.0949999999 USD (+41.2%) against the same days of last month',
    );
    expect(text).toContain(
      'Forecast from today to the month end (2026-11-24 to 2026-12-01, end exclusive): 300.5 USD (80% interval ' +
        '250.25 to 350.75) → projected month end 449.7 USD (80% interval 399.45 to 499.95) = 149.2 USD actual ' +
        '(2026-11-01 through 2026-11-23) + the forecast.',
    );
    expect(text).toContain('| AWS Support | 29 | 0 | +29 | new |');
    expect(text).toContain('2 open (no feedback yet), open impact 12.75 USD');
    expect(text).toContain('1 exceeded (Team), 1 forecast to exceed (Monthly), 1 ok.');
  });

  test('asks AWS for exactly the windows it reports, with credits and refunds excluded', async () => {
    summaryFakes(fake);
    await client().callTool({ name: 'summarize-costs', arguments: { refresh: true } });
    const exclusion = { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } };
    const costs = fake.callsTo('ce:GetCostAndUsage').map((c) => c.body);
    const months = (Start: string, End: string) => ({
      TimePeriod: { Start, End },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      Filter: exclusion,
    });
    const services = { GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] };
    // Each figure stated is Cost Explorer's for its period: last month and this one (one MONTHLY request, cut at
    // the 1st), the same days of last month, the actual through yesterday (get-cost-forecast's request), and the
    // services of this month and of the same days of last month.
    expect(costs).toHaveLength(5);
    expect(costs).toEqual(
      expect.arrayContaining([
        months('2026-10-01', '2026-11-25'),
        months('2026-10-01', '2026-10-25'),
        months('2026-11-01', '2026-11-24'),
        { ...months('2026-11-01', '2026-11-25'), ...services },
        { ...months('2026-10-01', '2026-10-25'), ...services },
      ]),
    );
    const [forecast] = fake.callsTo('ce:GetCostForecast');
    // The forecast request get-cost-forecast sends for the rest of the month: the two share one cached answer.
    expect(forecast.body).toEqual({
      TimePeriod: { Start: '2026-11-24', End: '2026-12-01' },
      Metric: 'UNBLENDED_COST',
      Granularity: 'MONTHLY',
      PredictionIntervalLevel: 80,
      Filter: exclusion,
    });
    expect(fake.callsTo('ce:GetAnomalies')[0].body.DateInterval).toEqual({
      StartDate: '2026-10-25',
      EndDate: '2026-11-24',
    });
    expect(fake.callsTo('budgets:DescribeBudgets')[0].body).toMatchObject({ AccountId: OWN_ACCOUNT });
  });

  test('turns failed side reads into notes and still answers with the costs', async () => {
    summaryFakes(fake);
    fake.on('ce:GetAnomalies', () =>
      awsError(
        'AccessDeniedException',
        'User: x is not authorized to perform: ce:GetAnomalies on resource: *',
        400,
      ),
    );
    fake.on('budgets:DescribeBudgets', () =>
      awsError('AccessDeniedException', 'User: x is not authorized to perform: budgets:ViewBudget', 400),
    );
    fake.on('ce:GetCostForecast', () =>
      awsError('DataUnavailableException', 'Insufficient amount of historical data'),
    );
    const result = await client().callTool({ name: 'summarize-costs', arguments: { refresh: true } });
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as Record<string, any>;
    expect(data.month_to_date.amount).toBe('151.2');
    expect(data.anomalies).toBeUndefined();
    expect(data.budgets).toBeUndefined();
    expect(data.forecast).toBeUndefined();
    expect(data.projected_month_end).toBeUndefined();
    expect(data.notes).toEqual([
      expect.stringMatching(/^The forecast not included: Cost Explorer has no data for this request/),
      expect.stringMatching(
        /^Anomalies not included: Access denied for ce:GetAnomalies in account 111111111111/,
      ),
      expect.stringMatching(
        /^Budgets not included: Access denied for budgets:ViewBudget in account 111111111111/,
      ),
    ]);
  });

  test('says so when the account has no budgets rather than failing', async () => {
    summaryFakes(fake);
    fake.on('budgets:DescribeBudgets', () => awsError('NotFoundException', 'No budgets found', 400));
    const result = await client().callTool({ name: 'summarize-costs', arguments: { refresh: true } });
    const data = result.structuredContent as Record<string, any>;
    expect(data.budgets).toEqual({ count: 0, exceeded: [], forecast_to_exceed: [], below_target: [], ok: 0 });
    expect(textOf(result)).toContain('Budgets: none in this account.');
  });

  test('fans out over accounts and adds their month-to-date totals', async () => {
    summaryFakes(fake);
    fake.on('ce:GetCostAndUsage', (_body, call: RecordedCall) =>
      call.accessKeyId === BASE_ACCESS_KEY
        ? dailyByService()(_body, call)
        : costLedger(day('2026-11-02', [['Amazon EC2', '0.0000000009']]))(_body, call),
    );
    const result = await client().callTool({
      name: 'summarize-costs',
      arguments: { refresh: true, target_account_ids: [OWN_ACCOUNT, MEMBER] },
    });
    const data = result.structuredContent as Record<string, any>;
    // 151.2 + 0.0000000009
    expect(data.combined_total).toEqual({ amount: '151.2000000009', unit: 'USD', accounts: 2 });
    expect(data.accounts.map((a: any) => a.answer.month_to_date.amount)).toEqual(['151.2', '0.0000000009']);
    // Per account: five cost reads, forecast, anomalies.
    expect(data.api.paid_requests).toBe(14);
  });
});

describe('summarize-costs on the last day of a month', () => {
  const lastDayFake = new FakeAws();
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    await lastDayFake.start();
    // 31 March: "the same days of February" stop at February's end, and the forecast covers the last day only.
    server = await startServer(lastDayFake, { BILLING_MCP_CLOCK: '2027-03-31T12:00:00Z' });
  });
  afterAll(async () => {
    await server.stop();
    await lastDayFake.stop();
  });

  test('forecasts the last day itself and clips the comparison window to the shorter month', async () => {
    summaryFakes(lastDayFake);
    lastDayFake.on(
      'ce:GetCostAndUsage',
      costLedger([
        ...day('2027-02-28', [['Amazon EC2', '3.3']]),
        ...day('2027-03-01', [['Amazon EC2', '1.1']]),
        ...day('2027-03-31', [['Amazon EC2', '2.2']]),
      ]),
    );
    const c = await server.client();
    const result = await c.callTool({ name: 'summarize-costs', arguments: {} });
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as Record<string, any>;
    expect(lastDayFake.callsTo('ce:GetCostForecast').map((c) => c.body.TimePeriod)).toEqual([
      { Start: '2027-03-31', End: '2027-04-01' },
    ]);
    expect(data.month_to_date).toEqual({ start: '2027-03-01', end: '2027-04-01', amount: '3.3' });
    expect(data.last_month_same_days).toEqual({ start: '2027-02-01', end: '2027-03-01', amount: '3.3' });
    // 1.1 actual (1 to 30 March) + 300.5, + 250.25, + 350.75 forecast for the 31st.
    expect(data.projected_month_end).toEqual({
      actual_to_yesterday: '1.1',
      amount: '301.6',
      lower: '251.35',
      upper: '351.85',
    });
  });
});

describe('explain-cost-change', () => {
  const cells = (rows: [string, string, string][]) => ({
    ResultsByTime: [
      {
        TimePeriod: { Start: 'x', End: 'y' },
        Estimated: false,
        Groups: rows.map(([a, b, amount]) => ({ Keys: [a, b], Metrics: usd(amount) })),
      },
    ],
  });
  const DATA: Record<string, Record<string, ReturnType<typeof cells>>> = {
    'SERVICE,USAGE_TYPE': {
      '2026-09-01': cells([
        ['Amazon EC2', 'BoxUsage:m5.large', '100.1'],
        ['Amazon EC2', 'EBS:VolumeUsage', '20'],
        ['Amazon S3', 'TimedStorage', '10.0000000001'],
        ['AWS Lambda', 'Request', '3'],
      ]),
      '2026-10-01': cells([
        ['Amazon EC2', 'BoxUsage:m5.large', '150.2'],
        ['Amazon EC2', 'EBS:VolumeUsage', '15'],
        ['Amazon EC2', 'NatGateway-Hours', '7.5'],
        ['Amazon S3', 'TimedStorage', '10.0000000001'],
        ['Amazon SageMaker', 'ml.t3.medium', '42'],
      ]),
    },
    'REGION,LINKED_ACCOUNT': {
      '2026-09-01': cells([
        ['us-east-1', '111111111111', '100'],
        ['us-east-1', '222222222222', '33.1000000001'],
      ]),
      '2026-10-01': cells([
        ['us-east-1', '111111111111', '120'],
        ['eu-west-1', '222222222222', '104.7000000001'],
      ]),
    },
  };
  /** One bucket per month of the requested range, as Cost Explorer cuts a MONTHLY range. */
  const explainFakes = () =>
    fake.on('ce:GetCostAndUsage', (body) => {
      const { Start, End } = body.TimePeriod as { Start: string; End: string };
      const bucketEnd = (month: string) => (month === '2026-09-01' ? '2026-10-01' : '2026-11-01');
      if (!body.GroupBy) {
        // The months' own figures, ungrouped: here the sums of their cells.
        return {
          ResultsByTime: Object.entries(DATA['SERVICE,USAGE_TYPE'])
            .filter(([month]) => month >= Start && month < End)
            .map(([month, answer]) => ({
              TimePeriod: { Start: month, End: bucketEnd(month) },
              Estimated: false,
              Total: usd(
                answer.ResultsByTime[0].Groups.reduce(
                  (t, g) => t.plus(g.Metrics.UnblendedCost.Amount),
                  new Decimal(0),
                ).toFixed(),
              ),
            })),
        };
      }
      const keys = (body.GroupBy as { Key: string }[]).map((g) => g.Key).join(',');
      return {
        ResultsByTime: Object.entries(DATA[keys])
          .filter(([month]) => month >= Start && month < End)
          .map(([month, answer]) => ({
            ...answer.ResultsByTime[0],
            TimePeriod: { Start: month, End: bucketEnd(month) },
          })),
      };
    });

  test('explains last month against the month before with exact deltas', async () => {
    explainFakes();
    const result = await client().callTool({ name: 'explain-cost-change', arguments: {} });
    expect(result.isError).toBeFalsy();
    const data = result.structuredContent as Record<string, any>;
    // 100.1 + 20 + 10.0000000001 + 3, and 150.2 + 15 + 7.5 + 10.0000000001 + 42
    expect(data.base).toEqual({
      start: '2026-09-01',
      end: '2026-10-01',
      total: '133.1000000001',
      months: 1,
      days: 30,
    });
    expect(data.compare).toEqual({
      start: '2026-10-01',
      end: '2026-11-01',
      total: '224.7000000001',
      months: 1,
      days: 31,
    });
    // 224.7000000001/31 − 133.1000000001/30 = 2.81172043010…
    expect(data.change).toEqual({ amount: '91.6', percent: '68.8', daily_average_change: '2.8117204301' });
    expect(data.services).toEqual([
      { service: 'Amazon EC2', base: '120.1', compare: '172.7', change: '52.6', percent_change: '43.8' },
      { service: 'Amazon SageMaker', base: '0', compare: '42', change: '42' },
      { service: 'AWS Lambda', base: '3', compare: '0', change: '-3', percent_change: '-100.0' },
    ]);
    expect(data.usage_types.map((u: any) => [u.service, u.usage_type, u.change, u.percent_change])).toEqual([
      ['Amazon EC2', 'BoxUsage:m5.large', '50.1', '50.0'],
      ['Amazon EC2', 'NatGateway-Hours', '7.5', undefined],
      ['Amazon EC2', 'EBS:VolumeUsage', '-5', '-25.0'],
      ['Amazon SageMaker', 'ml.t3.medium', '42', undefined],
      ['AWS Lambda', 'Request', '-3', '-100.0'],
    ]);
    expect(data.new_services).toEqual(['Amazon SageMaker']);
    expect(data.stopped_services).toEqual(['AWS Lambda']);
    expect(data.new_regions).toEqual(['eu-west-1']);
    expect(data.linked_accounts).toEqual([
      {
        account_id: '222222222222',
        base: '33.1000000001',
        compare: '104.7000000001',
        change: '71.6',
        percent_change: '216.3',
      },
      { account_id: '111111111111', base: '100', compare: '120', change: '20', percent_change: '20.0' },
    ]);
    expect(data.notes).toContain(
      'The periods differ in length (30 vs 31 days); the daily average change (+2.8117204301 USD/day) compares ' +
        'like with like.',
    );
    // Three reads, the months' own totals, service × usage type and region × account, each over both months: the
    // months are adjacent, so one MONTHLY request answers each month in its own bucket. The totals' read is item 6
    // of issue 10: a total is Cost Explorer's figure for its period, not the sum of the groups.
    expect(data.api).toMatchObject({ paid_requests: 3, cost_usd: '0.03' });
    expect(fake.callsTo('ce:GetCostAndUsage').map((c) => c.body.TimePeriod)).toEqual([
      { Start: '2026-09-01', End: '2026-11-01' },
      { Start: '2026-09-01', End: '2026-11-01' },
      { Start: '2026-09-01', End: '2026-11-01' },
    ]);
    expect(fake.callsTo('ce:GetCostAndUsage').filter((c) => !c.body.GroupBy)).toHaveLength(1);
    const text = textOf(result);
    expect(text).toContain(
      `**UnblendedCost for account ${OWN_ACCOUNT} went from 133.1000000001 USD (2026-09-01 to 2026-10-01) to ` +
        '224.7000000001 USD (2026-10-01 to 2026-11-01): +91.6 USD (+68.8%)**',
    );
    expect(text).toContain('| Amazon EC2 / BoxUsage:m5.large | 100.1 | 150.2 | +50.1 | +50.0% |');
    expect(text).toContain(
      'New services: Amazon SageMaker. Stopped services: AWS Lambda. New regions: eu-west-1.',
    );
  });

  test('measures a compared period given alone against the same span just before it', async () => {
    fake.on('ce:GetCostAndUsage', () => cells([]));
    const result = await client().callTool({
      name: 'explain-cost-change',
      arguments: { compare_start_date: '2026-11-10', compare_end_date: '2026-11-17' },
    });
    const data = result.structuredContent as Record<string, any>;
    expect(data.base).toMatchObject({ start: '2026-11-03', end: '2026-11-10', days: 7 });
    expect(data.change).toEqual({ amount: '0', daily_average_change: '0' });
    const starts = fake.callsTo('ce:GetCostAndUsage').map((c) => (c.body.TimePeriod as any).Start);
    // Per period: its total, service × usage type, region × account.
    expect(starts.sort()).toEqual([
      '2026-11-03',
      '2026-11-03',
      '2026-11-03',
      '2026-11-10',
      '2026-11-10',
      '2026-11-10',
    ]);
  });

  test('rejects a base period without the compared one, naming the parameters', async () => {
    const result = await client().callTool({
      name: 'explain-cost-change',
      arguments: { base_start_date: '2026-09-01', base_end_date: '2026-10-01' },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'base_start_date/base_end_date need compare_start_date/compare_end_date: give the later period too.',
    );
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(0);
  });

  test('rejects a compared period ending in the future', async () => {
    const result = await client().callTool({
      name: 'explain-cost-change',
      arguments: { compare_start_date: '2026-11-01', compare_end_date: '2026-12-01' },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^compare_end_date 2026-12-01 is in the future; the latest end is 2026-11-25/,
    );
  });
});
