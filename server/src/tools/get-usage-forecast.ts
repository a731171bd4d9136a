import { accountLabel } from '../billing/format';
import { z } from 'zod';
import { AwsCallError } from '../aws/errors';
import { ToolInputError } from '../billing/errors';
import { buildFilter } from '../billing/filters';
import { amount, exact } from '../billing/money';
import { filters, moneyShape, refresh, targetAccountId } from './lib/params';
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
import { defineTool } from './lib/types';

const USAGE_FORECAST_METRICS = {
  UsageQuantity: 'USAGE_QUANTITY',
  NormalizedUsageAmount: 'NORMALIZED_USAGE_AMOUNT',
} as const;
type UsageForecastMetric = keyof typeof USAGE_FORECAST_METRICS;

/** Usage can only be forecast in one unit: AWS needs the usage types pinned down to find it. */
const UNIT_KEYS = ['USAGE_TYPE', 'USAGE_TYPE_GROUP'];

const HOW_TO_FILTER =
  'Add a filter {"type":"DIMENSION","key":"USAGE_TYPE_GROUP","values":["EC2: Running Hours"]} (or USAGE_TYPE) ' +
  'whose values share one unit; get-dimension-values lists the exact values.';

export const getUsageForecastTool = defineTool({
  name: 'get-usage-forecast',
  title: 'Get usage forecast',
  description:
    "AWS's usage forecast (hours, GB…) with a prediction interval (default: the rest of this month). Needs " +
    'a USAGE_TYPE or USAGE_TYPE_GROUP filter of one unit.',
  inputSchema: {
    target_account_id: targetAccountId,
    filters: filters
      .unwrap()
      .describe('ANDed clauses {type, key, values, exclude}; needs a USAGE_TYPE(_GROUP) one of one unit.'),
    forecast_period: forecastPeriod,
    start_date: forecastStartDate,
    end_date: forecastEndDate,
    metric: z
      .enum(Object.keys(USAGE_FORECAST_METRICS) as [UsageForecastMetric, ...UsageForecastMetric[]])
      .optional()
      .describe('Default UsageQuantity.'),
    granularity: forecastGranularity,
    prediction_interval_level: predictionIntervalLevel,
    refresh,
  },
  outputSchema: {
    total: moneyShape,
  },
  operations: ['ce:GetUsageForecast', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const { granularity, range } = forecastRange(args, ctx.now);
    if (!args.filters.some((c) => c.type === 'DIMENSION' && UNIT_KEYS.includes(c.key) && !c.exclude)) {
      throw new ToolInputError(`get-usage-forecast needs to know which usage to forecast. ${HOW_TO_FILTER}`);
    }
    const metric = args.metric ?? 'UsageQuantity';
    const level = args.prediction_interval_level ?? 80;
    const account = await ctx.account(args.target_account_id);
    // Credits and refunds are money, not usage: no RECORD_TYPE exclusion here.
    const { filter, notes } = buildFilter(args.filters, {
      queriedAccountId: account.accountId,
      excludeCreditsRefunds: false,
    });
    let forecast;
    try {
      forecast = await ctx.call(
        'ce:GetUsageForecast',
        forecastQuery(range, USAGE_FORECAST_METRICS[metric], granularity, level, filter),
        account,
      );
    } catch (err) {
      if (err instanceof AwsCallError && err.awsErrorName === 'UnresolvableUsageUnitException') {
        throw new ToolInputError(
          `AWS could not tell which unit to forecast: the filtered usage types mix units (hours, GB, …). ${HOW_TO_FILTER}`,
        );
      }
      throw err;
    }
    const unit = forecast.Total?.Unit ?? '';
    const total = amount(forecast.Total?.Amount);
    const buckets = forecastBuckets(forecast.ForecastResultsByTime);
    const lines = [
      forecastHeadline(metric, accountLabel(account), range, `${exact(total)}${unit ? ` ${unit}` : ''}`),
      `Granularity ${granularity}; ${level}% prediction interval; usage quantities (credits and refunds do not apply).`,
    ];
    appendBuckets(lines, notes, buckets, unit || 'units', level);
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        range,
        metric,
        granularity,
        prediction_interval_level: level,
        total: { amount: exact(total), unit },
        periods: buckets,
        notes,
      },
    };
  },
});
