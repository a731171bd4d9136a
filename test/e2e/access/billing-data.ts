import type { FakeAws } from '../../fake-aws/fake-aws';

/**
 * A management account's Cost Explorer, per linked account: each account has one distinctive amount, so an answer
 * that mentions an account or its amount can be traced to it. The fake honours the request's Filter (LINKED_ACCOUNT,
 * and the SERVICE / RECORD_TYPE / REGION values of its one row per account) and GroupBy LINKED_ACCOUNT, as Cost
 * Explorer does: what the server asks for is what it gets, so a missing restriction shows up in the answer.
 */
export const LINKED_AMOUNTS: Readonly<Record<string, string>> = {
  '222222222222': '1234.56',
  '333333333333': '2345.67',
  '444444444444': '3456.78',
  '555555555555': '4567.89',
};

const ROW = { SERVICE: 'Amazon Elastic Compute Cloud - Compute', RECORD_TYPE: 'Usage', REGION: 'us-east-1' };

interface Expression {
  And?: Expression[];
  Or?: Expression[];
  Not?: Expression;
  Dimensions?: { Key?: string; Values?: string[] };
  Tags?: unknown;
  CostCategories?: unknown;
}

/** Whether the row of `account` matches a Cost Explorer filter expression. */
export function matches(filter: Expression | undefined, account: string): boolean {
  if (!filter) return true;
  if (filter.And) return filter.And.every((f) => matches(f, account));
  if (filter.Or) return filter.Or.some((f) => matches(f, account));
  if (filter.Not) return !matches(filter.Not, account);
  if (filter.Dimensions) {
    const key = filter.Dimensions.Key ?? '';
    const value = key === 'LINKED_ACCOUNT' ? account : (ROW as Record<string, string>)[key];
    return value !== undefined && (filter.Dimensions.Values ?? []).includes(value);
  }
  // Tags and cost categories: the rows have none.
  return false;
}

/** The linked accounts a request's filter lets through. */
export function visibleAccounts(filter: Expression | undefined): string[] {
  return Object.keys(LINKED_AMOUNTS).filter((a) => matches(filter, a));
}

function metricsOf(body: Record<string, unknown>, amount: string) {
  const names = (body.Metrics as string[] | undefined) ?? ['UnblendedCost'];
  return Object.fromEntries(names.map((m) => [m, { Amount: amount, Unit: 'USD' }]));
}

function sum(amounts: string[]): string {
  // Cents as integers: exact for these two-decimal amounts.
  const cents = amounts.reduce((t, a) => t + Math.round(Number(a) * 100), 0);
  return (cents / 100).toFixed(2);
}

/** Installs GetCostAndUsage, GetCostForecast and GetDimensionValues answering from LINKED_AMOUNTS. */
export function installBillingData(fake: FakeAws): void {
  fake.on('ce:GetCostAndUsage', (body) => {
    const accounts = visibleAccounts(body.Filter as Expression | undefined);
    const period = body.TimePeriod as { Start: string; End: string };
    const groupBy = (body.GroupBy as { Type: string; Key: string }[] | undefined) ?? [];
    const byAccount = groupBy.some((g) => g.Key === 'LINKED_ACCOUNT');
    return {
      ResultsByTime: [
        {
          TimePeriod: period,
          Estimated: false,
          Total: groupBy.length ? {} : metricsOf(body, sum(accounts.map((a) => LINKED_AMOUNTS[a]))),
          Groups: !groupBy.length
            ? []
            : byAccount
              ? accounts.map((a) => ({
                  Keys: groupBy.map((g) =>
                    g.Key === 'LINKED_ACCOUNT' ? a : ((ROW as Record<string, string>)[g.Key] ?? 'NoKey'),
                  ),
                  Metrics: metricsOf(body, LINKED_AMOUNTS[a]),
                }))
              : accounts.length
                ? [
                    {
                      Keys: groupBy.map((g) => (ROW as Record<string, string>)[g.Key] ?? 'NoKey'),
                      Metrics: metricsOf(body, sum(accounts.map((a) => LINKED_AMOUNTS[a]))),
                    },
                  ]
                : [],
        },
      ],
      DimensionValueAttributes: [],
    };
  });
  fake.on('ce:GetDimensionValues', (body) => {
    const accounts = visibleAccounts(body.Filter as Expression | undefined);
    const values =
      body.Dimension === 'LINKED_ACCOUNT'
        ? accounts.map((a) => ({ Value: a, Attributes: { description: `Account ${a}` } }))
        : accounts.length
          ? [{ Value: (ROW as Record<string, string>)[String(body.Dimension)] ?? 'NoValue', Attributes: {} }]
          : [];
    return { DimensionValues: values, ReturnSize: values.length, TotalSize: values.length };
  });
  fake.on('ce:GetCostForecast', (body) => {
    const accounts = visibleAccounts(body.Filter as Expression | undefined);
    const total = sum(accounts.map((a) => LINKED_AMOUNTS[a]));
    return {
      Total: { Amount: total, Unit: 'USD' },
      ForecastResultsByTime: [
        {
          TimePeriod: body.TimePeriod,
          MeanValue: total,
          PredictionIntervalLowerBound: total,
          PredictionIntervalUpperBound: total,
        },
      ],
    };
  });
}
