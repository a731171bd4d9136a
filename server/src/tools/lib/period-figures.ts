import type { Expression, GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import type { AccountScope } from '../../aws/gateway';
import type { DateRange } from '../../billing/dates';
import { amount, sum, type Amount } from '../../billing/money';
import type { ToolContext } from './types';

/**
 * Cost Explorer's own figures for periods. Every total a tool states for a period is the figure Cost Explorer
 * returns for exactly that period: an ungrouped MONTHLY bucket. It is never the sum of daily buckets or of groups
 * standing in for it: Cost Explorer rounds each bucket and each group on its own, so such sums differ from its figure
 * for the period in the last decimals (12414.765987654 summed against 12414.7659876531 answered), and an agent told
 * to quote figures exactly would then hold two "exact" totals for one question. A MONTHLY request is cut at the 1st
 * of each month (End exclusive), so a range inside one month is one bucket, and a range across months has one
 * bucket per month; its total is then the sum of those figures, and every answer says so.
 */

/** One ungrouped MONTHLY bucket as Cost Explorer answered it. */
export interface PeriodFigure {
  readonly start: string;
  /** Exclusive. */
  readonly end: string;
  /** Per metric, exactly as answered (zero when the answer left a metric out). */
  readonly amounts: ReadonlyMap<string, Amount>;
  readonly units: ReadonlyMap<string, string>;
  readonly estimated: boolean;
}

/** A range's total of one metric, from the figures of its monthly buckets. */
export interface RangeTotal {
  readonly amount: Amount;
  readonly unit: string | undefined;
  /**
   * How many of Cost Explorer's monthly figures the amount adds up: 1 when it is Cost Explorer's figure for the
   * whole range, more when the range crosses the 1st of a month and the amount is the sum of its months' figures.
   */
  readonly months: number;
  readonly estimated: boolean;
}

type CostAnswer = Omit<GetCostAndUsageCommandOutput, '$metadata'>;

/** The ungrouped buckets of GetCostAndUsage answers (all pages), in order. */
export function periodFigures(pages: readonly CostAnswer[], metrics: readonly string[]): PeriodFigure[] {
  return pages
    .flatMap((p) => p.ResultsByTime ?? [])
    .map((r) => {
      const amounts = new Map<string, Amount>();
      const units = new Map<string, string>();
      for (const m of metrics) {
        const value = r.Total?.[m];
        amounts.set(m, amount(value?.Amount));
        if (value?.Unit) units.set(m, value.Unit);
      }
      return {
        start: r.TimePeriod?.Start ?? '',
        end: r.TimePeriod?.End ?? '',
        amounts,
        units,
        estimated: r.Estimated === true,
      };
    })
    .sort((a, b) => a.start.localeCompare(b.start));
}

/** Cost Explorer's figures for a range, and why they are partial, if they are. */
export interface PeriodFigures {
  readonly figures: PeriodFigure[];
  /** The deadline or the page bound stopped reading (an ungrouped MONTHLY answer is one page in practice). */
  readonly note?: string;
  /** Set when the deadline stopped reading: why, in words. */
  readonly incomplete?: string;
}

/**
 * Reads Cost Explorer's figures for `range`: one ungrouped MONTHLY request, the same one every tool sends for the
 * same range, metrics and filter, so they share its cached answer (and a month of it serves a request for that
 * month alone).
 */
export async function readPeriodFigures(
  ctx: ToolContext,
  account: AccountScope,
  range: DateRange,
  metrics: readonly string[],
  filter: Expression | undefined,
): Promise<PeriodFigures> {
  const { pages, note, incomplete } = await ctx.paginate(
    'ce:GetCostAndUsage',
    {
      TimePeriod: { Start: range.start, End: range.end },
      Granularity: 'MONTHLY',
      Metrics: [...metrics],
      ...(filter ? { Filter: filter } : {}),
    },
    account,
    { inputToken: 'NextPageToken', outputToken: 'NextPageToken', advice: 'the totals are partial' },
  );
  return {
    figures: periodFigures(pages, metrics),
    ...(note ? { note } : {}),
    ...(incomplete ? { incomplete } : {}),
  };
}

/**
 * The total of `metric` over the buckets of `figures` that start inside [start, end) (all of them by default): one
 * figure as answered, or the sum of the months' figures, with how many it adds up.
 */
export function rangeTotal(figures: readonly PeriodFigure[], metric: string, within?: DateRange): RangeTotal {
  const picked = within
    ? figures.filter((f) => f.start >= within.start && f.start < within.end)
    : [...figures];
  return {
    amount: sum(picked.map((f) => f.amounts.get(metric))),
    unit: picked.map((f) => f.units.get(metric)).find((u) => u !== undefined),
    months: picked.length,
    estimated: picked.some((f) => f.estimated),
  };
}

/** Words for a total that adds up months' figures, for the answer text; '' when it is one figure as answered. */
export function sumLabel(total: Pick<RangeTotal, 'months'>): string {
  return total.months > 1 ? ` (the sum of Cost Explorer's ${total.months} monthly figures)` : '';
}
