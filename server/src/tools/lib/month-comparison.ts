import type { ComparisonMetricValue, Expression } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import type { AwsOperation } from '../../aws/actions';
import type { AccountScope } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import { monthStart, toIsoDate, utcDay, type DateRange } from '../../billing/dates';
import { ToolInputError } from '../../billing/errors';
import { buildFilter, CE_DIMENSIONS, type FilterClause } from '../../billing/filters';
import { amount, rounded, type Amount } from '../../billing/money';
import type { ToolContext } from './types';
import { AWS_LIMITS, boundedString } from './bounds';

/**
 * What compare-costs and get-cost-drivers share: both call month-over-month APIs that accept only whole calendar
 * months (start and end on the 1st, exactly one month long), within the last 13 months.
 */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** How far back the comparison APIs reach, in months before the current one. */
export const COMPARISON_MONTHS_BACK = 13;

export const baselineMonth = boundedString('baseline_month', AWS_LIMITS.ceDate)
  .optional()
  .describe('YYYY-MM; default the month before comparison_month.');

export const comparisonMonth = boundedString('comparison_month', AWS_LIMITS.ceDate)
  .optional()
  .describe('YYYY-MM; default last month.');

export const COMPARISON_METRICS = [
  'UnblendedCost',
  'AmortizedCost',
  'NetUnblendedCost',
  'NetAmortizedCost',
  'BlendedCost',
  'UsageQuantity',
  'NormalizedUsageAmount',
] as const;

export const comparisonGroupBy = z
  .enum(CE_DIMENSIONS)
  .optional()
  .describe('Default SERVICE; ignored with group_by_tag.');

export const comparisonGroupByTag = boundedString('group_by_tag', AWS_LIMITS.ceValue)
  .optional()
  .describe('A tag key to break down by instead, e.g. "team".');

/** Two resolved months, each as the API wants it: start on the 1st, end on the 1st of the next month. */
export interface MonthPair {
  readonly baseline: DateRange;
  readonly comparison: DateRange;
  /** `YYYY-MM` labels. */
  readonly baselineLabel: string;
  readonly comparisonLabel: string;
  /** The comparison month is the current, still incomplete, month. */
  readonly comparisonIncomplete: boolean;
}

function parseMonth(value: string, param: string): Date {
  const m = MONTH.exec(value.trim());
  if (!m) {
    const hint = /^\d{4}-\d{2}-\d{2}$/.test(value.trim())
      ? ` Give the month only: "${value.trim().slice(0, 7)}" (the APIs compare whole calendar months).`
      : '';
    throw new ToolInputError(
      `${param} must be a month as YYYY-MM (e.g. "2026-10"), got "${value.slice(0, 40)}".${hint}`,
    );
  }
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
}

const label = (d: Date) => toIsoDate(d).slice(0, 7);

/**
 * Resolves baseline_month / comparison_month (defaults: the month before last vs last month) into whole-month
 * ranges, rejecting future months, months beyond the API's history and identical months with a message the
 * caller can act on.
 */
export function resolveMonthPair(
  args: { baseline_month?: string; comparison_month?: string },
  now: Date,
): MonthPair {
  const thisMonth = monthStart(utcDay(now));
  const comparison = args.comparison_month
    ? parseMonth(args.comparison_month, 'comparison_month')
    : monthStart(thisMonth, -1);
  const baseline = args.baseline_month
    ? parseMonth(args.baseline_month, 'baseline_month')
    : monthStart(comparison, -1);
  const earliest = monthStart(thisMonth, -COMPARISON_MONTHS_BACK);
  for (const [param, month] of [
    ['baseline_month', baseline],
    ['comparison_month', comparison],
  ] as const) {
    if (month > thisMonth) {
      throw new ToolInputError(
        `${param} ${label(month)} is in the future; the latest month is ${label(thisMonth)} (the current, ` +
          `incomplete month). For future spend use a forecast.`,
      );
    }
    if (month < earliest) {
      throw new ToolInputError(
        `${param} ${label(month)} is more than ${COMPARISON_MONTHS_BACK} months back; month comparisons reach ` +
          `back to ${label(earliest)}.`,
      );
    }
  }
  if (baseline.getTime() === comparison.getTime()) {
    throw new ToolInputError(
      `baseline_month and comparison_month are both ${label(baseline)}; give two different months.`,
    );
  }
  const range = (d: Date): DateRange => ({ start: toIsoDate(d), end: toIsoDate(monthStart(d, 1)) });
  return {
    baseline: range(baseline),
    comparison: range(comparison),
    baselineLabel: label(baseline),
    comparisonLabel: label(comparison),
    comparisonIncomplete: comparison.getTime() === thisMonth.getTime(),
  };
}

/** A readable label for a Cost Explorer selector expression: "Amazon EC2", "team=web", "EC2 / us-east-1". */
export function selectorLabel(expression: Expression | undefined): string {
  if (!expression) return '(total)';
  const parts: string[] = [];
  const walk = (e: Expression) => {
    if (e.Dimensions) parts.push((e.Dimensions.Values ?? []).join(', ') || '(none)');
    if (e.Tags) parts.push(`${e.Tags.Key ?? 'tag'}=${(e.Tags.Values ?? []).join(', ') || '(untagged)'}`);
    if (e.CostCategories) {
      parts.push(
        `${e.CostCategories.Key ?? 'category'}=${(e.CostCategories.Values ?? []).join(', ') || '(none)'}`,
      );
    }
    for (const sub of e.And ?? []) walk(sub);
    for (const sub of e.Or ?? []) walk(sub);
    if (e.Not) walk(e.Not);
  };
  walk(expression);
  return parts.join(' / ') || '(total)';
}

/** A comparison value with exact amounts: the difference is recomputed, never taken from floats. */
export interface ComparedAmount {
  readonly baseline: Amount;
  readonly comparison: Amount;
  readonly difference: Amount;
  readonly unit: string;
}

export function compared(value: ComparisonMetricValue | undefined): ComparedAmount {
  const baseline = amount(value?.BaselineTimePeriodAmount);
  const comparison = amount(value?.ComparisonTimePeriodAmount);
  return { baseline, comparison, difference: comparison.minus(baseline), unit: value?.Unit ?? 'USD' };
}

/** Signed amount for text, rounded half away from zero: "+12.30" / "-4.00"; zero has no sign. */
export function signed(value: Amount, places = 2): string {
  const s = rounded(value, places);
  if (/^-?0(\.0+)?$/.test(s)) return s.replace('-', '');
  return s.startsWith('-') ? s : `+${s}`;
}

/** Signed percentage for text, or "n/a" when the baseline is zero. */
export function signedPercent(percent: string | undefined): string {
  if (percent === undefined) return 'n/a (new)';
  return percent.startsWith('-') ? `${percent}%` : `+${percent}%`;
}

/** The group-by clause both comparison tools send: a tag key wins over a dimension; SERVICE by default. */
export function comparisonGroupDefinition(args: {
  group_by?: (typeof CE_DIMENSIONS)[number];
  group_by_tag?: string;
}): { Type: 'DIMENSION' | 'TAG'; Key: string } {
  if (args.group_by_tag !== undefined) {
    const key = args.group_by_tag.trim();
    if (key === '' || key.length > 1024) {
      throw new ToolInputError('group_by_tag must be a non-empty tag key of at most 1024 characters.');
    }
    return { Type: 'TAG', Key: key };
  }
  return { Type: 'DIMENSION', Key: args.group_by ?? 'SERVICE' };
}

/** What a comparison tool resolves from its arguments before calling AWS. */
export interface ComparisonRequest {
  readonly months: MonthPair;
  readonly groupDef: { Type: 'DIMENSION' | 'TAG'; Key: string };
  /** The group-by for text and output: the dimension, or `TAG:<key>`. */
  readonly groupLabel: string;
  readonly account: AccountScope;
  readonly filter: ReturnType<typeof buildFilter>['filter'];
  readonly creditsRefunds: ReturnType<typeof buildFilter>['creditsRefunds'];
  /** Notes for the answer so far (filter clean-up). */
  readonly notes: string[];
}

/**
 * Resolves the months, the group-by, the account and the filter of a comparison tool, in that order (so bad
 * months are reported before the account is looked up).
 */
export async function comparisonRequest(
  args: {
    baseline_month?: string;
    comparison_month?: string;
    group_by?: (typeof CE_DIMENSIONS)[number];
    group_by_tag?: string;
    target_account_id?: string;
    filters?: FilterClause[];
    include_credits_refunds?: boolean;
  },
  ctx: Pick<ToolContext, 'now' | 'account'>,
): Promise<ComparisonRequest> {
  const months = resolveMonthPair(args, ctx.now);
  const groupDef = comparisonGroupDefinition(args);
  const account = await ctx.account(args.target_account_id);
  const { filter, notes, creditsRefunds } = buildFilter(args.filters, {
    queriedAccountId: account.accountId,
    excludeCreditsRefunds: !args.include_credits_refunds,
  });
  const groupLabel = groupDef.Type === 'TAG' ? `TAG:${groupDef.Key}` : groupDef.Key;
  return { months, groupDef, groupLabel, account, filter, creditsRefunds, notes };
}

/** The request both month-over-month APIs take. */
export function comparisonQuery(request: ComparisonRequest, metric: string) {
  const { months, groupDef, filter } = request;
  return {
    BaselineTimePeriod: { Start: months.baseline.start, End: months.baseline.end },
    ComparisonTimePeriod: { Start: months.comparison.start, End: months.comparison.end },
    MetricForComparison: metric,
    GroupBy: [groupDef],
    ...(filter ? { Filter: filter } : {}),
  };
}

/**
 * Reads every page of a comparison API (up to the page bound), noting in `request.notes` when reading stopped early,
 * `moreNote` when more pages exist, and when the comparison month is still incomplete.
 */
export async function readComparisonPages<O extends AwsOperation>(
  ctx: Pick<ToolContext, 'paginate' | 'config'>,
  operation: O,
  input: InputOf<O>,
  request: ComparisonRequest,
  moreNote: (maxPages: number) => string,
): Promise<{ pages: OutputOf<O>[]; more: boolean }> {
  const { notes, months } = request;
  const { pages, more, incomplete } = await ctx.paginate(operation, input, request.account, {
    inputToken: 'NextPageToken',
    outputToken: 'NextPageToken',
  });
  if (incomplete) notes.push(incomplete);
  if (more && !incomplete) notes.push(moreNote(ctx.config.maxPages));
  if (months.comparisonIncomplete) {
    notes.push(`${months.comparisonLabel} is the current month: it is incomplete, so the change is partial.`);
  }
  return { pages, more };
}
