import type { FakeAws } from '../test/fake-aws/fake-aws';

/** The member account the scripted session and the fan-out ask about besides the server's own. */
export const MEMBER = '222222222222';

const SERVICES = ['Amazon EC2', 'Amazon S3', 'AWS Lambda', 'Amazon RDS', 'Amazon CloudFront', 'AWS Support'];

/**
 * Billing data for every read the session makes: deterministic amounts, buckets cut as Cost Explorer cuts them
 * (per day, or per month), grouped when asked. Enough for every tool to answer; the figures do not matter here.
 */
export function installBillingData(fake: FakeAws): void {
  fake.on('ce:GetCostAndUsage', (body) => {
    const period = body.TimePeriod as { Start: string; End: string };
    const groupBy = (body.GroupBy as { Key: string }[] | undefined) ?? [];
    const metrics = (body.Metrics as string[]) ?? ['UnblendedCost'];
    // Buckets as Cost Explorer cuts them: one per day (DAILY), or one per calendar month cut at the range's ends
    // (MONTHLY), End exclusive; so a cached answer's buckets can serve a narrower question as they would in AWS.
    const buckets: { Start: string; End: string }[] = [];
    const end = Date.parse(`${period.End}T00:00:00Z`);
    for (let t = Date.parse(`${period.Start}T00:00:00Z`); t < end && buckets.length < 62;) {
      const d = new Date(t);
      const next =
        body.Granularity === 'DAILY'
          ? t + 86_400_000
          : Math.min(end, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      buckets.push({
        Start: new Date(t).toISOString().slice(0, 10),
        End: new Date(next).toISOString().slice(0, 10),
      });
      t = next;
    }
    const value = (i: number) =>
      Object.fromEntries(metrics.map((m) => [m, { Amount: (12.5 + i * 3.25).toFixed(4), Unit: 'USD' }]));
    return {
      ResultsByTime: buckets.map((TimePeriod, d) => ({
        TimePeriod,
        Estimated: false,
        ...(groupBy.length
          ? {
              Total: {},
              Groups: SERVICES.map((s, i) => ({
                Keys: groupBy.map((g, j) => (j === 0 ? `${g.Key}:${s}` : `us-east-${i}`)),
                Metrics: value(i + d),
              })),
            }
          : { Total: value(d) }),
      })),
    };
  });
  fake.on('ce:GetCostForecast', (body) => {
    const period = body.TimePeriod as { Start: string; End: string };
    return {
      Total: { Amount: '321.5', Unit: 'USD' },
      ForecastResultsByTime: [
        {
          TimePeriod: period,
          MeanValue: '321.5',
          PredictionIntervalLowerBound: '300',
          PredictionIntervalUpperBound: '350',
        },
      ],
    };
  });
  fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
  fake.on('ce:GetDimensionValues', () => ({
    DimensionValues: SERVICES.map((s) => ({ Value: s, Attributes: {} })),
    ReturnSize: SERVICES.length,
    TotalSize: SERVICES.length,
  }));
  fake.on('budgets:DescribeBudgets', () => ({
    Budgets: [
      {
        BudgetName: 'Monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '500', Unit: 'USD' },
        CalculatedSpend: {
          ActualSpend: { Amount: '321.5', Unit: 'USD' },
          ForecastedSpend: { Amount: '480', Unit: 'USD' },
        },
      },
    ],
  }));
}

const SERVICE = { type: 'DIMENSION', key: 'SERVICE' };

/**
 * A scripted 20-question chat, written the way an agent calls tools when a FinOps lead talks to it: follow-ups
 * that narrow, questions re-asked a few turns later, the same period named differently, and a summary to finish.
 * Each entry is the tool call the agent makes for the question in the comment.
 */
export const SESSION: readonly { question: string; tool: string; args: Record<string, unknown> }[] = [
  { question: 'How are we doing this month?', tool: 'summarize-costs', args: {} },
  {
    question: 'Break this month down by service.',
    tool: 'get-cost-and-usage',
    args: { period: 'month_to_date', group_by: [SERVICE] },
  },
  {
    question: 'And last month?',
    tool: 'get-cost-and-usage',
    args: { period: 'last_month', group_by: [SERVICE] },
  },
  { question: 'Why did it change from the month before?', tool: 'explain-cost-change', args: {} },
  {
    question: 'Which services do we use at all?',
    tool: 'get-dimension-values',
    args: { dimension: 'SERVICE', period: 'last_3_months' },
  },
  {
    question: 'What is EC2 spending on this month, by usage type?',
    tool: 'get-cost-and-usage',
    args: {
      period: 'month_to_date',
      group_by: [{ type: 'DIMENSION', key: 'USAGE_TYPE' }],
      filters: [{ type: 'DIMENSION', key: 'SERVICE', values: ['Amazon EC2'] }],
    },
  },
  { question: 'Where will we end the month?', tool: 'get-cost-forecast', args: {} },
  {
    question: 'Show me this month by service again, I lost it.',
    tool: 'get-cost-and-usage',
    args: { period: 'month_to_date', group_by: [SERVICE] },
  },
  {
    question: 'October by service, for my report (the agent now spells the dates out).',
    tool: 'get-cost-and-usage',
    args: { start_date: '2026-10-01', end_date: '2026-11-01', group_by: [SERVICE] },
  },
  {
    question: 'How has the total moved over the last three months?',
    tool: 'get-cost-and-usage',
    args: { period: 'last_3_months' },
  },
  { question: 'Any anomalies?', tool: 'get-anomalies', args: {} },
  { question: 'Are we over budget?', tool: 'get-budgets', args: {} },
  {
    question: 'And EC2 again, but include credits this time.',
    tool: 'get-cost-and-usage',
    args: {
      period: 'month_to_date',
      group_by: [{ type: 'DIMENSION', key: 'USAGE_TYPE' }],
      filters: [{ type: 'DIMENSION', key: 'SERVICE', values: ['Amazon EC2'] }],
      include_credits_refunds: true,
    },
  },
  { question: 'Remind me of the forecast.', tool: 'get-cost-forecast', args: {} },
  {
    question: 'Daily spend over the last 30 days?',
    tool: 'get-cost-and-usage',
    args: { period: 'last_30_days', granularity: 'DAILY' },
  },
  {
    question: 'Same for the staging account.',
    tool: 'get-cost-and-usage',
    args: { period: 'last_30_days', granularity: 'DAILY', target_account_id: MEMBER },
  },
  {
    question: 'Why did last month change again? The agent re-checks before answering.',
    tool: 'explain-cost-change',
    args: {},
  },
  {
    question: 'What was the total last month (the agent names the period by its dates)?',
    tool: 'get-cost-and-usage',
    args: { start_date: '2026-10-01', end_date: '2026-11-01' },
  },
  {
    question: 'And last month in total, as a named period?',
    tool: 'get-cost-and-usage',
    args: { period: 'last_month' },
  },
  { question: 'Give me the summary for my manager.', tool: 'summarize-costs', args: {} },
];
