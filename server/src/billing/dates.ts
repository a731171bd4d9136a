import { ToolInputError } from './errors';

/** A UTC calendar day as `YYYY-MM-DD`. */
export type IsoDate = string;

/** A date range: `start` inclusive, `end` exclusive (Cost Explorer's convention). */
export interface DateRange {
  readonly start: IsoDate;
  readonly end: IsoDate;
}

export const PERIODS = [
  'month_to_date',
  'last_month',
  'last_3_months',
  'last_6_months',
  'last_12_months',
  'year_to_date',
  'last_7_days',
  'last_30_days',
] as const;
export type Period = (typeof PERIODS)[number];

export const PERIOD_DESCRIPTION = 'UTC; last_N_* are whole past months or days.';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Parses a strict `YYYY-MM-DD` calendar date (2026-02-30 is rejected), naming the parameter on failure. */
export function parseIsoDate(value: string, param: string): Date {
  const m = ISO.exec(value);
  if (m) {
    const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (date.toISOString().slice(0, 10) === value) return date;
  }
  throw new ToolInputError(`${param} must be a real calendar date as YYYY-MM-DD, got "${truncate(value)}".`);
}

export function toIsoDate(date: Date): IsoDate {
  return date.toISOString().slice(0, 10);
}

/** Today's UTC date at midnight. */
export function utcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** The first day of the month `months` away from `date`'s month. */
export function monthStart(date: Date, months = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
}

export function isMonthStart(value: IsoDate): boolean {
  return value.endsWith('-01');
}

/** Resolves a named period against `now` (UTC). */
export function resolvePeriod(period: Period, now: Date): DateRange {
  const today = utcDay(now);
  const thisMonth = monthStart(today);
  const range = (start: Date, end: Date): DateRange => ({ start: toIsoDate(start), end: toIsoDate(end) });
  switch (period) {
    // Through today: the end is tomorrow because Cost Explorer's end is exclusive.
    case 'month_to_date':
      return range(thisMonth, addDays(today, 1));
    case 'last_month':
      return range(monthStart(today, -1), thisMonth);
    case 'last_3_months':
      return range(monthStart(today, -3), thisMonth);
    case 'last_6_months':
      return range(monthStart(today, -6), thisMonth);
    case 'last_12_months':
      return range(monthStart(today, -12), thisMonth);
    case 'year_to_date':
      return range(new Date(Date.UTC(today.getUTCFullYear(), 0, 1)), addDays(today, 1));
    case 'last_7_days':
      return range(addDays(today, -7), today);
    case 'last_30_days':
      return range(addDays(today, -30), today);
  }
}

export interface RangeArgs {
  period?: Period;
  start_date?: string;
  end_date?: string;
}

export interface RangeRules {
  /** Used when neither a period nor dates are given. */
  readonly defaultPeriod: Period;
  /** How far back the start may reach, in months before the current month (Cost Explorer: 14). */
  readonly maxMonthsBack?: number;
  /** How far back the start may reach, in days (HOURLY data and resource-level data: 14). */
  readonly maxDaysBack?: number;
  /** Reason shown with maxDaysBack. */
  readonly daysBackReason?: string;
  /** Whether the range may reach past tomorrow (forecasts). */
  readonly allowFuture?: boolean;
  /** Used instead of defaultPeriod when no named period fits the tool (e.g. the last 14 days). */
  readonly defaultRange?: (now: Date) => DateRange;
}

/** Resolves `period` or `start_date` + `end_date` into a validated range, with a message a user can act on. */
export function resolveRange(args: RangeArgs, now: Date, rules: RangeRules): DateRange {
  const hasDates = args.start_date !== undefined || args.end_date !== undefined;
  if (args.period && hasDates) {
    throw new ToolInputError('Give either period or start_date + end_date, not both.');
  }
  let range: DateRange;
  if (hasDates) {
    if (args.start_date === undefined || args.end_date === undefined) {
      throw new ToolInputError(
        'start_date and end_date go together (end_date is exclusive: 2026-11-01 to 2026-12-01 is November).',
      );
    }
    const start = parseIsoDate(args.start_date, 'start_date');
    const end = parseIsoDate(args.end_date, 'end_date');
    if (end <= start) {
      throw new ToolInputError(
        `end_date (${args.end_date}) must be after start_date (${args.start_date}); end_date is exclusive, so a ` +
          `single day D is start_date=D, end_date=D+1.`,
      );
    }
    range = { start: args.start_date, end: args.end_date };
  } else if (args.period === undefined && rules.defaultRange) {
    range = rules.defaultRange(now);
  } else {
    range = resolvePeriod(args.period ?? rules.defaultPeriod, now);
  }
  const today = utcDay(now);
  const start = parseIsoDate(range.start, 'start_date');
  const end = parseIsoDate(range.end, 'end_date');
  if (rules.maxMonthsBack !== undefined) {
    const earliest = monthStart(today, -rules.maxMonthsBack);
    if (start < earliest) {
      throw new ToolInputError(
        `start_date ${range.start} is more than ${rules.maxMonthsBack} months back; Cost Explorer keeps data from ` +
          `${toIsoDate(earliest)} on. Use a later start_date.`,
      );
    }
  }
  if (rules.maxDaysBack !== undefined) {
    const earliest = addDays(today, -rules.maxDaysBack);
    if (start < earliest) {
      throw new ToolInputError(
        `start_date ${range.start} is more than ${rules.maxDaysBack} days back (${rules.daysBackReason ?? 'not available'}); ` +
          `use a start_date on or after ${toIsoDate(earliest)}.`,
      );
    }
  }
  if (!rules.allowFuture && end > addDays(today, 1)) {
    throw new ToolInputError(
      `end_date ${range.end} is in the future; the latest end_date is ${toIsoDate(addDays(today, 1))} (exclusive, ` +
        `so today is included). For future spend use get-cost-forecast.`,
    );
  }
  return range;
}

export const FORECAST_PERIODS = ['rest_of_month', 'next_month', 'next_3_months', 'next_12_months'] as const;
export type ForecastPeriod = (typeof FORECAST_PERIODS)[number];

export const FORECAST_PERIOD_DESCRIPTION =
  'UTC; default rest_of_month (today to month end); next_*: whole months.';

/** Resolves a named forecast period against `now` (UTC); the start is never before today. */
export function resolveForecastPeriod(period: ForecastPeriod, now: Date): DateRange {
  const today = utcDay(now);
  const range = (start: Date, end: Date): DateRange => ({ start: toIsoDate(start), end: toIsoDate(end) });
  switch (period) {
    case 'rest_of_month':
      return range(today, monthStart(today, 1));
    case 'next_month':
      return range(monthStart(today, 1), monthStart(today, 2));
    case 'next_3_months':
      return range(monthStart(today, 1), monthStart(today, 4));
    case 'next_12_months':
      return range(monthStart(today, 1), monthStart(today, 13));
  }
}

export interface ForecastRangeArgs {
  forecast_period?: ForecastPeriod;
  start_date?: string;
  end_date?: string;
}

/**
 * Resolves a forecast range: `forecast_period` or `start_date` + `end_date` (end exclusive), defaulting to the
 * rest of the current month. Cost Explorer rejects forecasts that start before the current date, so that is
 * checked here with a message that points to the tool for past spend. `maxDays` bounds DAILY forecasts.
 */
export function resolveForecastRange(
  args: ForecastRangeArgs,
  now: Date,
  rules: { readonly maxDays?: number; readonly maxDaysReason?: string } = {},
): DateRange {
  const hasDates = args.start_date !== undefined || args.end_date !== undefined;
  if (args.forecast_period && hasDates) {
    throw new ToolInputError('Give either forecast_period or start_date + end_date, not both.');
  }
  const today = utcDay(now);
  let range: DateRange;
  if (hasDates) {
    if (args.start_date === undefined || args.end_date === undefined) {
      throw new ToolInputError(
        'start_date and end_date go together (end_date is exclusive: 2026-12-01 to 2027-01-01 is December).',
      );
    }
    const start = parseIsoDate(args.start_date, 'start_date');
    const end = parseIsoDate(args.end_date, 'end_date');
    if (end <= start) {
      throw new ToolInputError(
        `end_date (${args.end_date}) must be after start_date (${args.start_date}); end_date is exclusive.`,
      );
    }
    if (start < today) {
      throw new ToolInputError(
        `A forecast must start today (${toIsoDate(today)}) or later, got start_date ${args.start_date}. ` +
          `For spend before today use get-cost-and-usage.`,
      );
    }
    range = { start: args.start_date, end: args.end_date };
  } else {
    range = resolveForecastPeriod(args.forecast_period ?? 'rest_of_month', now);
  }
  if (rules.maxDays !== undefined && daysBetween(range.start, range.end) > rules.maxDays) {
    throw new ToolInputError(
      `The forecast range ${range.start} to ${range.end} is longer than ${rules.maxDays} days ` +
        `(${rules.maxDaysReason ?? 'the limit'}); shorten it or use MONTHLY granularity.`,
    );
  }
  return range;
}

/** Whole days between two dates. */
export function daysBetween(start: IsoDate, end: IsoDate): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / DAY_MS);
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
