import { accountLabel } from '../billing/format';
import { z } from 'zod';
import { addDays, monthStart, toIsoDate, utcDay } from '../billing/dates';
import { buildFilter } from '../billing/filters';
import { amount, exact, sum, type Amount } from '../billing/money';
import { filters, includeCreditsRefunds, moneyShape, refresh, targetAccountId } from './lib/params';
import { defineTool } from './lib/types';
import {
  appendBuckets,
  forecastBuckets,
  forecastEndDate,
  forecastGranularity,
  forecastHeadline,
  forecastPeriod,
  forecastQuery,
  forecastRange,
  forecastStartDate,
  predictionIntervalLevel,
} from './lib/forecasts';

/** GetCostForecast's metric names for the metric names every other tool uses. */
const COST_FORECAST_METRICS = {
  UnblendedCost: 'UNBLENDED_COST',
  AmortizedCost: 'AMORTIZED_COST',
  BlendedCost: 'BLENDED_COST',
  NetUnblendedCost: 'NET_UNBLENDED_COST',
  NetAmortizedCost: 'NET_AMORTIZED_COST',
} as const;
type CostForecastMetric = keyof typeof COST_FORECAST_METRICS;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export const getCostForecastTool = defineTool({
  name: 'get-cost-forecast',
  title: 'Get cost forecast',
  description:
    "AWS's spend forecast with a prediction interval; by default for the rest of this month, with the " +
    'projected month end.',
  inputSchema: {
    target_account_id: targetAccountId,
    forecast_period: forecastPeriod,
    start_date: forecastStartDate,
    end_date: forecastEndDate,
    metric: z
      .enum(Object.keys(COST_FORECAST_METRICS) as [CostForecastMetric, ...CostForecastMetric[]])
      .optional()
      .describe('Default UnblendedCost.'),
    granularity: forecastGranularity,
    prediction_interval_level: predictionIntervalLevel,
    filters,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    total: moneyShape,
  },
  operations: [
    'ce:GetCostForecast',
    'ce:GetCostAndUsage',
    'sts:GetCallerIdentity',
    'organizations:DescribeOrganization',
    'organizations:ListAccounts',
  ],
  fanout: true,
  // The month-to-date actual comes through the payer. The forecast itself is still read in each account:
  // GetCostForecast takes no GroupBy, so the payer would need one request per account anyway, and a forecast is a
  // model's answer for the series it is given, which AWS does not promise equals the account's own forecast.
  payerRoute: true,
  async handler(args, ctx) {
    const { granularity, range } = forecastRange(args, ctx.now);
    const metric = args.metric ?? 'UnblendedCost';
    const level = args.prediction_interval_level ?? 80;
    const account = await ctx.account(args.target_account_id);
    const { filter, notes, creditsRefunds } = buildFilter(args.filters, {
      queriedAccountId: account.accountId,
      excludeCreditsRefunds: !args.include_credits_refunds,
    });

    const today = utcDay(ctx.now);
    const nextMonth = toIsoDate(monthStart(today, 1));
    // A month-end projection needs the forecast to cover today through the last day of this month.
    const projectsMonthEnd = range.start === toIsoDate(today) && range.end >= nextMonth;
    const monthFirst = toIsoDate(monthStart(today));
    // The actual runs from the 1st through yesterday: the forecast starts today, so nothing is counted twice.
    const needActual = projectsMonthEnd && monthFirst !== range.start;
    const [forecast, actual] = await Promise.all([
      ctx.call(
        'ce:GetCostForecast',
        forecastQuery(range, COST_FORECAST_METRICS[metric], granularity, level, filter),
        account,
      ),
      needActual
        ? ctx.call(
            'ce:GetCostAndUsage',
            {
              TimePeriod: { Start: monthFirst, End: range.start },
              Granularity: 'MONTHLY',
              Metrics: [metric],
              ...(filter ? { Filter: filter } : {}),
            },
            account,
          )
        : undefined,
    ]);

    const unit = forecast.Total?.Unit ?? 'USD';
    const total = amount(forecast.Total?.Amount);
    const buckets = forecastBuckets(forecast.ForecastResultsByTime);
    const lines = [
      forecastHeadline(metric, accountLabel(account), range, `${exact(total)} ${unit}`),
      `Granularity ${granularity}; ${level}% prediction interval; credits and refunds ${creditsRefunds}` +
        (creditsRefunds === 'excluded'
          ? ` from the forecast${projectsMonthEnd ? ' and the actual' : ''} (set include_credits_refunds to count them)`
          : '') +
        '.',
    ];

    let monthEnd: Record<string, unknown> | undefined;
    if (projectsMonthEnd) {
      const inMonth = buckets.filter((b) => b.start < nextMonth);
      const rest = sum(inMonth.map((b) => b.mean));
      const actualToDate: Amount = sum(
        (actual?.ResultsByTime ?? []).map((r) => r.Total?.[metric]?.Amount ?? '0'),
      );
      const projected = actualToDate.plus(rest);
      // Interval bounds of several daily buckets do not add up to a monthly interval; only one bucket is exact.
      const single = inMonth.length === 1 ? inMonth[0] : undefined;
      const through = needActual ? toIsoDate(addDays(today, -1)) : 'none';
      const monthLabel = `${MONTH_NAMES[today.getUTCMonth()]} ${today.getUTCFullYear()}`;
      monthEnd = {
        month: monthFirst.slice(0, 7),
        actual_to_date: exact(actualToDate),
        actual_through: through,
        forecast_rest: exact(rest),
        projected: exact(projected),
        ...(single?.lower !== undefined ? { projected_lower: exact(actualToDate.plus(single.lower)) } : {}),
        ...(single?.upper !== undefined ? { projected_upper: exact(actualToDate.plus(single.upper)) } : {}),
        unit,
      };
      lines.push(
        '',
        `**Projected ${monthLabel} month end: ${exact(projected)} ${unit}** = ${exact(actualToDate)} ${unit} actual ` +
          (needActual ? `(${monthFirst} through ${through})` : '(none yet: today is the 1st)') +
          ` + ${exact(rest)} ${unit} forecast (${range.start} through the end of the month)` +
          (single?.lower !== undefined && single.upper !== undefined
            ? `; ${level}% interval ${exact(actualToDate.plus(single.lower))} to ${exact(actualToDate.plus(single.upper))} ${unit}.`
            : '.'),
      );
      if (!needActual) notes.push('Today is the 1st: the projected month end is the forecast alone.');
    }
    appendBuckets(lines, notes, buckets, unit, level);

    return {
      text: lines.join('\n'),
      total: { amount: exact(total), unit },
      data: {
        account_id: account.accountId,
        range,
        metric,
        granularity,
        prediction_interval_level: level,
        credits_refunds: creditsRefunds,
        total: { amount: exact(total), unit },
        periods: buckets,
        ...(monthEnd ? { month_end: monthEnd } : {}),
        notes,
      },
    };
  },
});
