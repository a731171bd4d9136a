import type { Anomaly, Expression } from '@aws-sdk/client-cost-explorer';
import type { Budget } from '@aws-sdk/client-budgets';
import { AwsCallError } from '../aws/errors';
import type { AccountScope } from '../aws/gateway';
import { addDays, monthStart, toIsoDate, utcDay } from '../billing/dates';
import { buildFilter } from '../billing/filters';
import { table, accountLabel } from '../billing/format';
import { amount, exact, percentChange, sum, type Amount } from '../billing/money';
import { rangeTotal, readPeriodFigures } from './lib/period-figures';
import { includeCreditsRefunds, moneyShape, refresh, targetAccountId } from './lib/params';
import { budgetStatus, type BudgetStatus } from './lib/budgets';
import { signed, signedPct, SUMMARY_METRICS, summaryMetric, type SummaryMetric } from './lib/summary-metric';
import type { ToolContext } from './lib/types';
import { defineTool } from './lib/types';

/** Movers listed in the summary. */
const TOP_MOVERS = 5;
/** The anomaly window of the summary, in days ending today. */
const ANOMALY_WINDOW_DAYS = 30;
/** The forecast's prediction interval, in percent. */
const FORECAST_LEVEL = 80;

export const summarizeCostsTool = defineTool({
  name: 'summarize-costs',
  title: 'Summarize costs',
  description:
    'One-call spend summary: month to date against the same days last month, last month, the forecast and ' +
    'projected month end, top moving services, open anomalies, budgets.',
  inputSchema: {
    target_account_id: targetAccountId,
    metric: summaryMetric,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    total: moneyShape,
  },
  operations: [
    'ce:GetCostAndUsage',
    'ce:GetCostForecast',
    'ce:GetAnomalies',
    'budgets:DescribeBudgets',
    'sts:GetCallerIdentity',
    'organizations:DescribeOrganization',
    'organizations:ListAccounts',
  ],
  fanout: true,
  // Its cost figures come through the payer; the forecast, anomalies and budgets are still read in each account
  // (see get-cost-forecast, get-anomalies and get-budgets for why).
  payerRoute: true,
  async handler(args, ctx) {
    const metric: SummaryMetric = args.metric ?? 'UnblendedCost';
    const account = await ctx.account(args.target_account_id);
    const { filter, notes, creditsRefunds } = buildFilter(undefined, {
      queriedAccountId: account.accountId,
      excludeCreditsRefunds: !args.include_credits_refunds,
    });
    const today = utcDay(ctx.now);
    const d = {
      lastMonth: toIsoDate(monthStart(today, -1)),
      thisMonth: toIsoDate(monthStart(today)),
      tomorrow: toIsoDate(addDays(today, 1)),
      nextMonth: toIsoDate(monthStart(today, 1)),
      // The same number of days into last month as today is into this one, clipped to last month's end.
      sameDayEnd: toIsoDate(
        new Date(
          Math.min(addDays(monthStart(today, -1), today.getUTCDate()).getTime(), monthStart(today).getTime()),
        ),
      ),
      anomalyStart: toIsoDate(addDays(today, -ANOMALY_WINDOW_DAYS)),
      today: toIsoDate(today),
    };

    // Every total is Cost Explorer's own figure for its period (tools/lib/period-figures.ts), never a sum of days or
    // of services standing in for it. One MONTHLY request over last month and this one answers both months (a
    // MONTHLY range is cut at the 1st); the same days of last month and the actual through yesterday are periods of
    // their own (the latter the request get-cost-forecast sends, so the two share its answer). The movers are the
    // services' own figures for the two windows, grouped MONTHLY requests of one bucket each.
    // The first read the deadline cut short, for a multi-account answer's "answered only in part".
    let cutShort: string | undefined;
    const figures = (start: string, end: string) =>
      readPeriodFigures(ctx, account, { start, end }, [metric], filter).then((r) => {
        if (r.note && !notes.includes(r.note)) notes.push(r.note);
        cutShort ??= r.incomplete;
        return r.figures;
      });
    const byService = (start: string, end: string) =>
      ctx.paginate(
        'ce:GetCostAndUsage',
        {
          TimePeriod: { Start: start, End: end },
          Granularity: 'MONTHLY',
          Metrics: [metric],
          GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
          ...(filter ? { Filter: filter } : {}),
        },
        account,
        { inputToken: 'NextPageToken', outputToken: 'NextPageToken' },
      );
    const costs = Promise.all([
      figures(d.lastMonth, d.tomorrow),
      // On the last day of a longer month the same days of last month are all of it: the bucket above.
      d.sameDayEnd === d.thisMonth ? undefined : figures(d.lastMonth, d.sameDayEnd),
      d.today === d.thisMonth ? undefined : figures(d.thisMonth, d.today),
      byService(d.thisMonth, d.tomorrow),
      byService(d.lastMonth, d.sameDayEnd),
    ]);
    // The forecast covers today through the month end and the actual stops at yesterday, so today is counted once
    // and in full (today's actual is still partial). get-cost-forecast splits the month the same way and sends the
    // same forecast request, so the two tools agree on the month end and share the cached answer.
    const [forecast, anomalies, budgets] = await Promise.all([
      sideRead('The forecast', () => readForecast(ctx, account, metric, filter, d.today, d.nextMonth)),
      sideRead('Anomalies', () => readAnomalies(ctx, account, d.anomalyStart, d.today)),
      sideRead('Budgets', () => readBudgets(ctx, account)),
      costs.catch(() => undefined),
    ]);
    const [both, sameDays, upToToday, mtdServices, prevServices] = await costs;
    for (const r of [mtdServices, prevServices]) {
      const note =
        r.incomplete ??
        (r.more
          ? `More pages exist beyond the ${ctx.config.maxPages} read; the movers are partial.`
          : undefined);
      if (note && !notes.includes(note)) notes.push(note);
    }

    const lastMonth = rangeTotal(both, metric, { start: d.lastMonth, end: d.thisMonth });
    const monthToDate = rangeTotal(both, metric, { start: d.thisMonth, end: d.tomorrow });
    const sameDaysTotal = sameDays ? rangeTotal(sameDays, metric) : lastMonth;
    const mtd = monthToDate.amount;
    const prev = sameDaysTotal.amount;
    const lastMonthTotal = lastMonth.amount;
    const toYesterday = upToToday ? rangeTotal(upToToday, metric).amount : amount(0);
    const unit = monthToDate.unit ?? lastMonth.unit ?? 'USD';
    const estimated = monthToDate.estimated || lastMonth.estimated || sameDaysTotal.estimated;

    // Each service's own figure for each window (one bucket each).
    const servicesOf = (pages: typeof mtdServices.pages) => {
      const by = new Map<string, Amount>();
      for (const r of pages.flatMap((p) => p.ResultsByTime ?? [])) {
        for (const g of r.Groups ?? []) {
          const value = g.Metrics?.[metric];
          if (!value) continue;
          const service = g.Keys?.[0] ?? '(no service)';
          by.set(service, (by.get(service) ?? amount(0)).plus(amount(value.Amount)));
        }
      }
      return by;
    };
    const mtdBy = servicesOf(mtdServices.pages);
    const prevBy = servicesOf(prevServices.pages);
    const change = mtd.minus(prev);
    const changePct = percentChange(prev, mtd);

    const movers = [...new Set([...mtdBy.keys(), ...prevBy.keys()])]
      .map((service) => {
        const now = mtdBy.get(service) ?? amount(0);
        const before = prevBy.get(service) ?? amount(0);
        return { service, now, before, delta: now.minus(before) };
      })
      .filter((m) => !m.delta.isZero())
      .sort((a, b) => b.delta.abs().comparedTo(a.delta.abs()) || a.service.localeCompare(b.service))
      .slice(0, TOP_MOVERS);

    const lines: string[] = [];
    lines.push(
      `**Month to date for account ${accountLabel(account)} (${d.thisMonth} through ${d.today}): ${exact(mtd)} ${unit}**` +
        `${estimated ? ' (estimated)' : ''}; ${signed(change)} ${unit}` +
        `${changePct !== undefined ? ` (${signedPct(changePct)})` : ''} against the same days of last month ` +
        `(${d.lastMonth} to ${d.sameDayEnd}, end exclusive: ${exact(prev)} ${unit}).`,
    );
    lines.push(`Last month in full (${d.lastMonth} to ${d.thisMonth}): ${exact(lastMonthTotal)} ${unit}.`);
    let projected:
      { actual_to_yesterday: string; amount: string; lower?: string; upper?: string } | undefined;
    if (forecast.ok) {
      const f = forecast.value;
      projected = {
        actual_to_yesterday: exact(toYesterday),
        amount: exact(toYesterday.plus(f.mean)),
        ...(f.lower !== undefined ? { lower: exact(toYesterday.plus(f.lower)) } : {}),
        ...(f.upper !== undefined ? { upper: exact(toYesterday.plus(f.upper)) } : {}),
      };
      const interval = (a?: string, b?: string) =>
        a !== undefined && b !== undefined ? ` (${FORECAST_LEVEL}% interval ${a} to ${b})` : '';
      const actual =
        d.today === d.thisMonth
          ? 'no actual yet (today is the 1st)'
          : `${exact(toYesterday)} ${unit} actual (${d.thisMonth} through ${toIsoDate(addDays(today, -1))})`;
      lines.push(
        `Forecast from today to the month end (${d.today} to ${d.nextMonth}, end exclusive): ${exact(f.mean)} ` +
          `${unit}${interval(f.lower !== undefined ? exact(f.lower) : undefined, f.upper !== undefined ? exact(f.upper) : undefined)}` +
          ` → projected month end ${projected.amount} ${unit}${interval(projected.lower, projected.upper)}` +
          ` = ${actual} + the forecast.`,
      );
    } else {
      notes.push(forecast.note);
    }
    if (anomalies.ok) {
      const a = anomalies.value;
      lines.push(
        `Anomalies (${d.anomalyStart} to ${d.today}): ${a.count} detected, ${a.openCount} open (no feedback yet)` +
          `${a.openCount ? `, open impact ${exact(a.openImpact)} USD` : ''}.`,
      );
    } else {
      notes.push(anomalies.note);
    }
    if (budgets.ok) {
      const b = budgets.value;
      const names = (list: string[]) =>
        list.length ? ` (${list.slice(0, 5).join(', ')}${list.length > 5 ? ', …' : ''})` : '';
      lines.push(
        b.count === 0
          ? 'Budgets: none in this account.'
          : `Budgets: ${b.count} — ${b.exceeded.length} exceeded${names(b.exceeded)}, ` +
              `${b.forecastToExceed.length} forecast to exceed${names(b.forecastToExceed)}` +
              `${b.belowTarget.length ? `, ${b.belowTarget.length} below target${names(b.belowTarget)}` : ''}, ${b.ok} ok.`,
      );
    } else {
      notes.push(budgets.note);
    }
    lines.push(`Credits and refunds ${creditsRefunds}; metric ${metric}; today's cost is still partial.`);
    if (movers.length) {
      lines.push(
        '',
        `Top ${movers.length} movers by service (month to date vs the same days of last month):`,
        table(
          ['Service', `Month to date (${unit})`, `Same days last month (${unit})`, 'Change', '%'],
          movers.map((m) => {
            const pct = percentChange(m.before, m.now);
            return [
              m.service,
              exact(m.now),
              exact(m.before),
              signed(m.delta),
              pct !== undefined ? signedPct(pct) : 'new',
            ];
          }),
        ),
      );
    }

    // The reads the deadline cut short, for a multi-account answer's "answered only in part".
    const incomplete = [
      cutShort,
      ...[mtdServices, prevServices].map((r) => r.incomplete),
      ...[forecast, anomalies, budgets].map((s) => (!s.ok && s.deadline ? s.note : undefined)),
    ].find((n) => n !== undefined);
    return {
      text: lines.join('\n'),
      total: { amount: exact(mtd), unit },
      incomplete,
      data: {
        account_id: account.accountId,
        metric,
        credits_refunds: creditsRefunds,
        total: { amount: exact(mtd), unit },
        month_to_date: { start: d.thisMonth, end: d.tomorrow, amount: exact(mtd) },
        last_month_same_days: { start: d.lastMonth, end: d.sameDayEnd, amount: exact(prev) },
        change_vs_last_month: {
          amount: exact(change),
          ...(changePct !== undefined ? { percent: changePct } : {}),
        },
        last_month: { start: d.lastMonth, end: d.thisMonth, amount: exact(lastMonthTotal) },
        ...(forecast.ok
          ? {
              forecast: {
                start: d.today,
                end: d.nextMonth,
                mean: exact(forecast.value.mean),
                ...(forecast.value.lower !== undefined ? { lower: exact(forecast.value.lower) } : {}),
                ...(forecast.value.upper !== undefined ? { upper: exact(forecast.value.upper) } : {}),
                level: FORECAST_LEVEL,
              },
            }
          : {}),
        ...(projected ? { projected_month_end: projected } : {}),
        top_movers: movers.map((m) => {
          const pct = percentChange(m.before, m.now);
          return {
            service: m.service,
            month_to_date: exact(m.now),
            last_month_same_days: exact(m.before),
            change: exact(m.delta),
            ...(pct !== undefined ? { percent_change: pct } : {}),
          };
        }),
        ...(anomalies.ok
          ? {
              anomalies: {
                start: d.anomalyStart,
                end: d.today,
                count: anomalies.value.count,
                open_count: anomalies.value.openCount,
                open_impact: exact(anomalies.value.openImpact),
              },
            }
          : {}),
        ...(budgets.ok
          ? {
              budgets: {
                count: budgets.value.count,
                exceeded: budgets.value.exceeded,
                forecast_to_exceed: budgets.value.forecastToExceed,
                below_target: budgets.value.belowTarget,
                ok: budgets.value.ok,
              },
            }
          : {}),
        estimated,
        notes,
      },
    };
  },
});

type Side<T> = { ok: true; value: T } | { ok: false; note: string; deadline?: boolean };

/**
 * A read the summary can do without: its failure (no permission, no monitor, the deadline) becomes a note saying
 * what is missing and why, instead of failing the whole answer.
 */
async function sideRead<T>(what: string, read: () => Promise<T>): Promise<Side<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'deadline') {
      return {
        ok: false,
        deadline: true,
        note: `incomplete: ${what.charAt(0).toLowerCase()}${what.slice(1)} could not be read before the tool deadline.`,
      };
    }
    if (err instanceof AwsCallError) return { ok: false, note: `${what} not included: ${err.message}` };
    throw err;
  }
}

async function readForecast(
  ctx: ToolContext,
  account: AccountScope,
  metric: SummaryMetric,
  filter: Expression | undefined,
  start: string,
  end: string,
): Promise<{ mean: Amount; lower?: Amount; upper?: Amount }> {
  const out = await ctx.call(
    'ce:GetCostForecast',
    {
      TimePeriod: { Start: start, End: end },
      Metric: SUMMARY_METRICS[metric],
      Granularity: 'MONTHLY',
      PredictionIntervalLevel: FORECAST_LEVEL,
      ...(filter ? { Filter: filter } : {}),
    },
    account,
  );
  const buckets = out.ForecastResultsByTime ?? [];
  const bound = (key: 'PredictionIntervalLowerBound' | 'PredictionIntervalUpperBound') =>
    buckets.length > 0 && buckets.every((b) => b[key] !== undefined)
      ? sum(buckets.map((b) => b[key]))
      : undefined;
  return {
    mean: out.Total?.Amount !== undefined ? amount(out.Total.Amount) : sum(buckets.map((b) => b.MeanValue)),
    lower: bound('PredictionIntervalLowerBound'),
    upper: bound('PredictionIntervalUpperBound'),
  };
}

async function readAnomalies(
  ctx: ToolContext,
  account: AccountScope,
  start: string,
  endInclusive: string,
): Promise<{ count: number; openCount: number; openImpact: Amount }> {
  const { pages } = await ctx.paginate(
    'ce:GetAnomalies',
    { DateInterval: { StartDate: start, EndDate: endInclusive } },
    account,
    { inputToken: 'NextPageToken', outputToken: 'NextPageToken', maxPages: 3 },
  );
  const all: Anomaly[] = pages.flatMap((p) => p.Anomalies ?? []);
  const open = all.filter((a) => !a.Feedback);
  return {
    count: all.length,
    openCount: open.length,
    openImpact: sum(open.map((a) => a.Impact?.TotalImpact ?? a.Impact?.MaxImpact)),
  };
}

async function readBudgets(
  ctx: ToolContext,
  account: AccountScope,
): Promise<{
  count: number;
  exceeded: string[];
  forecastToExceed: string[];
  belowTarget: string[];
  ok: number;
}> {
  let budgets: Budget[] = [];
  try {
    const { pages } = await ctx.paginate(
      'budgets:DescribeBudgets',
      { AccountId: account.accountId, MaxResults: 100 },
      account,
      { inputToken: 'NextToken', outputToken: 'NextToken', maxPages: 3 },
    );
    budgets = pages.flatMap((p) => p.Budgets ?? []);
  } catch (err) {
    // Budgets answers NotFoundException for an account without budgets: that is an answer, not a failure.
    if (!(err instanceof AwsCallError && err.kind === 'not-found')) throw err;
  }
  const by: Record<BudgetStatus, string[]> = {
    exceeded: [],
    forecast_to_exceed: [],
    ok: [],
    below_target: [],
    no_limit: [],
  };
  for (const b of budgets) {
    const type = b.BudgetType ?? 'COST';
    const limit = b.BudgetLimit?.Amount !== undefined ? amount(b.BudgetLimit.Amount) : undefined;
    const forecast = b.CalculatedSpend?.ForecastedSpend?.Amount;
    const status = budgetStatus(
      type,
      limit,
      amount(b.CalculatedSpend?.ActualSpend?.Amount),
      forecast !== undefined ? amount(forecast) : undefined,
    );
    by[status].push(b.BudgetName ?? '(unnamed)');
  }
  return {
    count: budgets.length,
    exceeded: by.exceeded.sort(),
    forecastToExceed: by.forecast_to_exceed.sort(),
    belowTarget: by.below_target.sort(),
    ok: by.ok.length + by.no_limit.length,
  };
}
