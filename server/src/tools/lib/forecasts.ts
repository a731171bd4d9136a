import type { ForecastResult } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import {
  FORECAST_PERIOD_DESCRIPTION,
  FORECAST_PERIODS,
  resolveForecastRange,
  type DateRange,
} from '../../billing/dates';
import { buildFilter } from '../../billing/filters';
import { table } from '../../billing/format';
import { amount, exact } from '../../billing/money';
import { AWS_LIMITS, boundedString } from './bounds';

/** Parameters and helpers shared by the cost and usage forecasts. */

export const forecastPeriod = z.enum(FORECAST_PERIODS).optional().describe(FORECAST_PERIOD_DESCRIPTION);

export const forecastStartDate = boundedString('start_date', AWS_LIMITS.ceDate)
  .optional()
  .describe('YYYY-MM-DD, inclusive, today or later.');

export const forecastEndDate = boundedString('end_date', AWS_LIMITS.ceDate)
  .optional()
  .describe('YYYY-MM-DD, exclusive.');

export const forecastGranularity = z
  .enum(['MONTHLY', 'DAILY'])
  .optional()
  .describe('Default MONTHLY; DAILY reaches 3 months ahead.');

export const predictionIntervalLevel = z
  .number()
  .int()
  .min(51)
  .max(99)
  .optional()
  .describe('Confidence in %; default 80.');

/** DAILY forecasts cover at most three months. */
export const MAX_DAILY_FORECAST_DAYS = 93;

export interface ForecastBucket {
  start: string;
  end: string;
  mean: string;
  lower?: string;
  upper?: string;
}

export function forecastBuckets(results: readonly ForecastResult[] | undefined): ForecastBucket[] {
  return (results ?? [])
    .map((r) => ({
      start: r.TimePeriod?.Start ?? '',
      end: r.TimePeriod?.End ?? '',
      mean: exact(amount(r.MeanValue)),
      ...(r.PredictionIntervalLowerBound !== undefined
        ? { lower: exact(amount(r.PredictionIntervalLowerBound)) }
        : {}),
      ...(r.PredictionIntervalUpperBound !== undefined
        ? { upper: exact(amount(r.PredictionIntervalUpperBound)) }
        : {}),
    }))
    .sort((a, b) => a.start.localeCompare(b.start));
}

/** The buckets as a table: start, end, mean and the interval. */
export function forecastTable(buckets: readonly ForecastBucket[], unit: string, level: number): string {
  return table(
    ['Start', 'End (excl.)', `Forecast (${unit})`, `${level}% interval`],
    buckets.map((b) => [
      b.start,
      b.end,
      b.mean,
      b.lower !== undefined && b.upper !== undefined ? `${b.lower} to ${b.upper}` : '',
    ]),
  );
}

/** Buckets listed in the answer at most. */
const LISTED_BUCKETS = 100;

/** Appends the bucket table to an answer, the first 100 buckets at most (with a note when there are more). */
export function appendBuckets(
  lines: string[],
  notes: string[],
  buckets: readonly ForecastBucket[],
  unit: string,
  level: number,
): void {
  if (buckets.length > 0) lines.push('', forecastTable(buckets.slice(0, LISTED_BUCKETS), unit, level));
  if (buckets.length > LISTED_BUCKETS) {
    notes.push(`Only the first ${LISTED_BUCKETS} of ${buckets.length} buckets are listed.`);
  }
}

/** The granularity (default MONTHLY) and the forecast range, which DAILY bounds to three months. */
export function forecastRange(
  args: { granularity?: 'MONTHLY' | 'DAILY' } & Parameters<typeof resolveForecastRange>[0],
  now: Date,
): { granularity: 'MONTHLY' | 'DAILY'; range: DateRange } {
  const granularity = args.granularity ?? 'MONTHLY';
  const range = resolveForecastRange(
    args,
    now,
    granularity === 'DAILY'
      ? { maxDays: MAX_DAILY_FORECAST_DAYS, maxDaysReason: 'DAILY forecasts cover at most 3 months' }
      : {},
  );
  return { granularity, range };
}

/** The request both forecast APIs take, `metric` in the API's own naming (e.g. UNBLENDED_COST). */
export function forecastQuery<M extends string>(
  range: DateRange,
  metric: M,
  granularity: 'MONTHLY' | 'DAILY',
  level: number,
  filter: ReturnType<typeof buildFilter>['filter'],
) {
  return {
    TimePeriod: { Start: range.start, End: range.end },
    Metric: metric,
    Granularity: granularity,
    PredictionIntervalLevel: level,
    ...(filter ? { Filter: filter } : {}),
  };
}

/** The first line of a forecast's answer, `quantity` being the total with its unit. */
export function forecastHeadline(
  metric: string,
  /** The account as the heading names it (accountLabel). */
  account: string,
  range: DateRange,
  quantity: string,
): string {
  return (
    `**Forecast ${metric} for account ${account}, ${range.start} to ${range.end} (end exclusive): ` +
    `${quantity}**.`
  );
}
