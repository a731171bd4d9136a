import type { GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import type { AccountScope } from '../aws/gateway';
import {
  addDays,
  daysBetween,
  isMonthStart,
  monthStart,
  parseIsoDate,
  toIsoDate,
  utcDay,
  type DateRange,
} from '../billing/dates';
import { ToolInputError } from '../billing/errors';
import { buildFilter } from '../billing/filters';
import { table, accountLabel } from '../billing/format';
import { amount, exact, percentChange, type Amount } from '../billing/money';
import { filters, includeCreditsRefunds, refresh, targetAccountId } from './lib/params';
import { rangeTotal, readPeriodFigures, sumLabel, type RangeTotal } from './lib/period-figures';
import { signed, signedPct, summaryMetric, type SummaryMetric } from './lib/summary-metric';
import type { Paginated } from './lib/pagination';
import type { ToolContext } from './lib/types';
import { defineTool } from './lib/types';
import { AWS_LIMITS, boundedString } from './lib/bounds';

/** Services listed as movers, top services whose usage types are broken down, usage types per service. */
const TOP_SERVICES = 10;
const BROKEN_DOWN_SERVICES = 3;
const TOP_USAGE_TYPES = 5;
const TOP_ACCOUNTS = 5;
/** New services / regions listed at most. */
const MAX_NEW = 25;

const dateParam = (name: string, text: string) =>
  boundedString(name, AWS_LIMITS.ceDate).optional().describe(text);

export const explainCostChangeTool = defineTool({
  name: 'explain-cost-change',
  title: 'Explain a cost change',
  description:
    'Why spend changed between two periods (default: last month vs the one before): the services, usage ' +
    'types and accounts that moved most; new or stopped services, regions.',
  inputSchema: {
    target_account_id: targetAccountId,
    base_start_date: dateParam(
      'base_start_date',
      'Base start, inclusive; default: the span just before compare.',
    ),
    base_end_date: dateParam('base_end_date', 'Base end, exclusive.'),
    compare_start_date: dateParam('compare_start_date', 'Compared period start, inclusive.'),
    compare_end_date: dateParam('compare_end_date', 'Compared period end, exclusive.'),
    metric: summaryMetric,
    filters,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    change: z.looseObject({ amount: z.string() }),
  },
  operations: ['ce:GetCostAndUsage', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const { base, compare } = resolvePeriods(args, ctx.now);
    const metric: SummaryMetric = args.metric ?? 'UnblendedCost';
    const account = await ctx.account(args.target_account_id);
    const { filter, notes, creditsRefunds } = buildFilter(args.filters, {
      queriedAccountId: account.accountId,
      excludeCreditsRefunds: !args.include_credits_refunds,
    });

    // Service × usage type and region × linked account, for each period, read in parallel. The first pair gives the
    // totals, the services and their usage types; the second the regions and accounts.
    const read = (keys: [string, string]) => readPeriods(ctx, account, base, compare, keys, metric, filter);
    // The totals are Cost Explorer's own figures for the periods (tools/lib/period-figures.ts), not the sums of the
    // groups: one ungrouped MONTHLY request over both when they meet at a 1st (the same split as the groups), else
    // one per period.
    const figures = (range: DateRange) =>
      readPeriodFigures(ctx, account, range, [metric], filter).then((r) => {
        if (r.note && !notes.includes(r.note)) notes.push(r.note);
        return r.figures;
      });
    const totals: Promise<[RangeTotal, RangeTotal]> =
      base.end === compare.start && isMonthStart(compare.start)
        ? figures({ start: base.start, end: compare.end }).then((f) => [
            rangeTotal(f, metric, base),
            rangeTotal(f, metric, compare),
          ])
        : Promise.all([
            figures(base).then((f) => rangeTotal(f, metric)),
            figures(compare).then((f) => rangeTotal(f, metric)),
          ]);
    totals.catch(() => undefined);
    const [[baseSu, compareSu], [baseRa, compareRa]] = await Promise.all([
      read(['SERVICE', 'USAGE_TYPE']),
      read(['REGION', 'LINKED_ACCOUNT']),
    ]);
    const morePages = `More pages exist beyond the ${ctx.config.maxPages} read; the figures are partial.`;
    for (const r of [baseSu, compareSu, baseRa, compareRa]) {
      const note = r.incomplete ?? (r.more ? morePages : undefined);
      if (note && !notes.includes(note)) notes.push(note);
    }
    const [baseFigure, compareFigure] = await totals;
    const unit = compareFigure.unit ?? baseFigure.unit ?? compareSu.unit ?? baseSu.unit ?? 'USD';
    const baseTotal = baseFigure.amount;
    const compareTotal = compareFigure.amount;
    const change = compareTotal.minus(baseTotal);
    const pct = percentChange(baseTotal, compareTotal);
    const baseDays = daysBetween(base.start, base.end);
    const compareDays = daysBetween(compare.start, compare.end);
    const dailyChange = compareTotal.div(compareDays).minus(baseTotal.div(baseDays)).toDecimalPlaces(10);

    const services = moves(rollUp(baseSu.cells, 0), rollUp(compareSu.cells, 0));
    const topServices = services.slice(0, TOP_SERVICES);
    const usageTypes = topServices.slice(0, BROKEN_DOWN_SERVICES).flatMap((s) =>
      moves(within(baseSu.cells, s.key), within(compareSu.cells, s.key))
        .slice(0, TOP_USAGE_TYPES)
        .map((u) => ({ service: s.key, ...u })),
    );
    const appeared = (b: Map<string, Amount>, c: Map<string, Amount>) =>
      [...c.entries()]
        .filter(([k, v]) => !v.isZero() && (b.get(k) ?? amount(0)).isZero())
        .sort((x, y) => y[1].comparedTo(x[1]) || x[0].localeCompare(y[0]))
        .map(([k]) => k);
    const baseServices = rollUp(baseSu.cells, 0);
    const compareServices = rollUp(compareSu.cells, 0);
    const newServices = appeared(baseServices, compareServices);
    const stoppedServices = appeared(compareServices, baseServices);
    const newRegions = appeared(rollUp(baseRa.cells, 0), rollUp(compareRa.cells, 0));
    const accounts = moves(rollUp(baseRa.cells, 1), rollUp(compareRa.cells, 1)).slice(0, TOP_ACCOUNTS);
    if (baseDays !== compareDays) {
      notes.push(
        `The periods differ in length (${baseDays} vs ${compareDays} days); the daily average change ` +
          `(${signed(dailyChange)} ${unit}/day) compares like with like.`,
      );
    }

    const lines: string[] = [];
    lines.push(
      `**${metric} for account ${accountLabel(account)} went from ${exact(baseTotal)} ${unit}${sumLabel(baseFigure)} ` +
        `(${base.start} to ${base.end}) to ${exact(compareTotal)} ${unit}${sumLabel(compareFigure)} ` +
        `(${compare.start} to ${compare.end}): ${signed(change)} ` +
        `${unit}${pct !== undefined ? ` (${signedPct(pct)})` : ''}**` +
        `${baseSu.estimated || compareSu.estimated ? ' (includes estimated data)' : ''}. Ends are exclusive.`,
    );
    lines.push(`Credits and refunds ${creditsRefunds}.`);
    const moveRow = (label: string, m: Move) => [
      label,
      exact(m.base),
      exact(m.compare),
      signed(m.change),
      m.pct !== undefined ? signedPct(m.pct) : 'new',
    ];
    const headers = (first: string) => [first, `Base (${unit})`, `Compared (${unit})`, 'Change', '%'];
    if (topServices.length) {
      lines.push(
        '',
        'Services that moved most:',
        table(
          headers('Service'),
          topServices.map((s) => moveRow(s.key, s)),
        ),
      );
    }
    if (usageTypes.length) {
      lines.push(
        '',
        `Usage types behind the top ${Math.min(BROKEN_DOWN_SERVICES, topServices.length)} services:`,
        table(
          headers('Service / usage type'),
          usageTypes.map((u) => moveRow(`${u.service} / ${u.key}`, u)),
        ),
      );
    }
    const list = (items: string[]) =>
      items.length
        ? `${items.slice(0, MAX_NEW).join(', ')}${items.length > MAX_NEW ? ` and ${items.length - MAX_NEW} more` : ''}`
        : 'none';
    lines.push(
      '',
      `New services: ${list(newServices)}. Stopped services: ${list(stoppedServices)}. New regions: ${list(newRegions)}.`,
    );
    if (accounts.length > 1) {
      lines.push(
        '',
        'Linked accounts that moved most:',
        table(
          headers('Account'),
          accounts.map((a) => moveRow(a.key, a)),
        ),
      );
    }

    const moveOut = (m: Move) => ({
      base: exact(m.base),
      compare: exact(m.compare),
      change: exact(m.change),
      ...(m.pct !== undefined ? { percent_change: m.pct } : {}),
    });
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        metric,
        credits_refunds: creditsRefunds,
        unit,
        base: { ...base, total: exact(baseTotal), months: baseFigure.months, days: baseDays },
        compare: { ...compare, total: exact(compareTotal), months: compareFigure.months, days: compareDays },
        total: { amount: exact(compareTotal), unit },
        change: {
          amount: exact(change),
          ...(pct !== undefined ? { percent: pct } : {}),
          daily_average_change: exact(dailyChange),
        },
        services: topServices.map((s) => ({ service: s.key, ...moveOut(s) })),
        usage_types: usageTypes.map((u) => ({ service: u.service, usage_type: u.key, ...moveOut(u) })),
        new_services: newServices.slice(0, MAX_NEW),
        stopped_services: stoppedServices.slice(0, MAX_NEW),
        new_regions: newRegions.slice(0, MAX_NEW),
        linked_accounts: accounts.map((a) => ({ account_id: a.key, ...moveOut(a) })),
        estimated: baseSu.estimated || compareSu.estimated,
        notes,
      },
    };
  },
});

interface Move {
  key: string;
  base: Amount;
  compare: Amount;
  change: Amount;
  pct: string | undefined;
}

/** Every key of either side with its change, largest absolute change first; unchanged keys are left out. */
function moves(base: Map<string, Amount>, compare: Map<string, Amount>): Move[] {
  return [...new Set([...base.keys(), ...compare.keys()])]
    .map((key) => {
      const b = base.get(key) ?? amount(0);
      const c = compare.get(key) ?? amount(0);
      return { key, base: b, compare: c, change: c.minus(b), pct: percentChange(b, c) };
    })
    .filter((m) => !m.change.isZero())
    .sort((x, y) => y.change.abs().comparedTo(x.change.abs()) || x.key.localeCompare(y.key));
}

const SEP = '\u0000';

/** Sums two-key cells over one key (0 = the first group key, 1 = the second). */
function rollUp(cells: Map<string, Amount>, index: 0 | 1): Map<string, Amount> {
  const out = new Map<string, Amount>();
  for (const [k, v] of cells) {
    const key = k.split(SEP)[index];
    out.set(key, (out.get(key) ?? amount(0)).plus(v));
  }
  return out;
}

/** The second-key amounts of the cells whose first key is `first`. */
function within(cells: Map<string, Amount>, first: string): Map<string, Amount> {
  const out = new Map<string, Amount>();
  for (const [k, v] of cells) {
    const [a, b] = k.split(SEP);
    if (a === first) out.set(b, (out.get(b) ?? amount(0)).plus(v));
  }
  return out;
}

interface Groups {
  /** Amount per `first\0second` group key, summed over the period's buckets. */
  cells: Map<string, Amount>;
  unit: string | undefined;
  estimated: boolean;
  more: boolean;
  incomplete?: string;
}

/**
 * Both periods' groups by `keys`. When the compared period starts on the 1st of a month right where the base ends
 * (last month against the month before, the default), one MONTHLY request over both answers for both: Cost
 * Explorer cuts a MONTHLY range at every 1st, so no bucket straddles the two periods, and each bucket is what the
 * request for its own period would answer. Cost Explorer bills per request: half the requests. Otherwise one
 * request per period.
 */
async function readPeriods(
  ctx: ToolContext,
  account: AccountScope,
  base: DateRange,
  compare: DateRange,
  keys: [string, string],
  metric: SummaryMetric,
  filter: ReturnType<typeof buildFilter>['filter'],
): Promise<[Groups, Groups]> {
  if (base.end === compare.start && isMonthStart(compare.start)) {
    const both = await readGroups(
      ctx,
      account,
      { start: base.start, end: compare.end },
      keys,
      metric,
      filter,
      [
        (start) => start >= base.start && start < compare.start,
        (start) => start >= compare.start && start < compare.end,
      ],
    );
    return [both[0], both[1]];
  }
  const [[b], [c]] = await Promise.all([
    readGroups(ctx, account, base, keys, metric, filter, [() => true]),
    readGroups(ctx, account, compare, keys, metric, filter, [() => true]),
  ]);
  return [b, c];
}

/**
 * Reads `range` grouped by `keys`, summing each bucket into the first of `periods` that claims its start date (a
 * bucket claimed by none is counted nowhere).
 */
async function readGroups(
  ctx: ToolContext,
  account: AccountScope,
  range: DateRange,
  keys: [string, string],
  metric: SummaryMetric,
  filter: ReturnType<typeof buildFilter>['filter'],
  periods: readonly ((bucketStart: string) => boolean)[],
): Promise<Groups[]> {
  const result: Paginated<Omit<GetCostAndUsageCommandOutput, '$metadata'>> = await ctx.paginate(
    'ce:GetCostAndUsage',
    {
      TimePeriod: { Start: range.start, End: range.end },
      Granularity: 'MONTHLY',
      Metrics: [metric],
      GroupBy: keys.map((Key) => ({ Type: 'DIMENSION' as const, Key })),
      ...(filter ? { Filter: filter } : {}),
    },
    account,
    { inputToken: 'NextPageToken', outputToken: 'NextPageToken' },
  );
  const out: Groups[] = periods.map(() => ({
    cells: new Map<string, Amount>(),
    unit: undefined,
    estimated: false,
    more: result.more,
    incomplete: result.incomplete,
  }));
  for (const r of result.pages.flatMap((p) => p.ResultsByTime ?? [])) {
    const period = out[periods.findIndex((claims) => claims(r.TimePeriod?.Start ?? ''))];
    if (!period) continue;
    period.estimated ||= r.Estimated === true;
    for (const g of r.Groups ?? []) {
      const value = g.Metrics?.[metric];
      if (!value) continue;
      period.unit ??= value.Unit;
      const key = `${g.Keys?.[0] ?? ''}${SEP}${g.Keys?.[1] ?? ''}`;
      period.cells.set(key, (period.cells.get(key) ?? amount(0)).plus(amount(value.Amount)));
    }
  }
  return out;
}

interface PeriodArgs {
  base_start_date?: string;
  base_end_date?: string;
  compare_start_date?: string;
  compare_end_date?: string;
}

/**
 * The two periods: explicit, or by default last month against the month before. A compared period given alone
 * is measured against the span of the same length just before it (whole months against as many whole months).
 */
export function resolvePeriods(args: PeriodArgs, now: Date): { base: DateRange; compare: DateRange } {
  const today = utcDay(now);
  const pair = (startKey: keyof PeriodArgs, endKey: keyof PeriodArgs): DateRange | undefined => {
    const start = args[startKey];
    const end = args[endKey];
    if (start === undefined && end === undefined) return undefined;
    if (start === undefined || end === undefined) {
      throw new ToolInputError(`${startKey} and ${endKey} go together (the end is exclusive).`);
    }
    const s = parseIsoDate(start, startKey);
    const e = parseIsoDate(end, endKey);
    if (e <= s)
      throw new ToolInputError(
        `${endKey} (${end}) must be after ${startKey} (${start}); the end is exclusive.`,
      );
    const earliest = monthStart(today, -14);
    if (s < earliest) {
      throw new ToolInputError(
        `${startKey} ${start} is more than 14 months back; Cost Explorer keeps data from ${toIsoDate(earliest)} on.`,
      );
    }
    const latest = addDays(today, 1);
    if (e > latest) {
      throw new ToolInputError(
        `${endKey} ${end} is in the future; the latest end is ${toIsoDate(latest)} (exclusive, so today is included).`,
      );
    }
    return { start, end };
  };
  let compare = pair('compare_start_date', 'compare_end_date');
  let base = pair('base_start_date', 'base_end_date');
  if (base && !compare) {
    throw new ToolInputError(
      'base_start_date/base_end_date need compare_start_date/compare_end_date: give the later period too.',
    );
  }
  if (!compare) {
    compare = { start: toIsoDate(monthStart(today, -1)), end: toIsoDate(monthStart(today)) };
    base = { start: toIsoDate(monthStart(today, -2)), end: toIsoDate(monthStart(today, -1)) };
  }
  if (!base) {
    const start = parseIsoDate(compare.start, 'compare_start_date');
    const end = parseIsoDate(compare.end, 'compare_end_date');
    const wholeMonths =
      start.getUTCDate() === 1 && end.getUTCDate() === 1
        ? (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth()
        : 0;
    const baseStart =
      wholeMonths > 0
        ? monthStart(start, -wholeMonths)
        : addDays(start, -daysBetween(compare.start, compare.end));
    base = { start: toIsoDate(baseStart), end: compare.start };
    if (baseStart < monthStart(today, -14)) {
      throw new ToolInputError(
        `The base period before ${compare.start} would start more than 14 months back; give base_start_date and ` +
          `base_end_date explicitly.`,
      );
    }
  }
  return { base, compare };
}
