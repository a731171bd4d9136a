import { z } from 'zod';
import { daysBetween, resolveRange } from '../billing/dates';
import { ToolInputError } from '../billing/errors';
import { buildFilter, buildGroupBy } from '../billing/filters';
import { rankedTable, table, accountLabel } from '../billing/format';
import { amount, exact } from '../billing/money';
import {
  endDate,
  filters,
  groupBy,
  includeCreditsRefunds,
  metrics,
  moneyShape,
  period,
  refresh,
  startDate,
  targetAccountId,
} from './lib/params';
import { summarise } from './lib/cost-table';
import { periodFigures, rangeTotal, readPeriodFigures, sumLabel } from './lib/period-figures';
import { defineTool } from './lib/types';

export const getCostAndUsageTool = defineTool({
  name: 'get-cost-and-usage',
  title: 'Get cost and usage',
  description:
    "An account's cost and usage over a period (default: month to date), filtered and grouped by up to two " +
    'dimensions, tags or cost categories.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    granularity: z
      .enum(['MONTHLY', 'DAILY', 'HOURLY'])
      .optional()
      .describe('Default MONTHLY; HOURLY: the last 14 days, if enabled.'),
    metrics,
    group_by: groupBy,
    filters,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    total: moneyShape,
  },
  operations: [
    'ce:GetCostAndUsage',
    'sts:GetCallerIdentity',
    'organizations:DescribeOrganization',
    'organizations:ListAccounts',
  ],
  fanout: true,
  payerRoute: true,
  async handler(args, ctx) {
    const granularity = args.granularity ?? 'MONTHLY';
    const range = resolveRange(args, ctx.now, {
      defaultPeriod: 'month_to_date',
      maxMonthsBack: 14,
      ...(granularity === 'HOURLY'
        ? { maxDaysBack: 14, daysBackReason: 'HOURLY data covers the last 14 days' }
        : {}),
    });
    if (granularity === 'DAILY' && daysBetween(range.start, range.end) > 400) {
      throw new ToolInputError(
        'DAILY granularity is limited to about 13 months here; use MONTHLY for longer ranges.',
      );
    }
    const metricNames = [...new Set(args.metrics ?? ['UnblendedCost'])];
    const account = await ctx.account(args.target_account_id);
    const groupDefs = buildGroupBy(args.group_by);
    const { filter, notes, creditsRefunds } = buildFilter(args.filters, {
      queriedAccountId: account.accountId,
      excludeCreditsRefunds: !args.include_credits_refunds,
    });

    const request = {
      TimePeriod: { Start: range.start, End: range.end },
      Granularity: granularity,
      Metrics: metricNames,
      ...(filter ? { Filter: filter } : {}),
    };
    const pageOptions = {
      inputToken: 'NextPageToken',
      outputToken: 'NextPageToken',
      advice: 'narrow the range or filters',
    };
    // The totals are Cost Explorer's own figures (tools/lib/period-figures.ts): the answer's buckets when it is
    // ungrouped, else the same request ungrouped (a grouped answer's Total is empty, and the sum of its groups is not
    // Cost Explorer's figure); the range's total from its MONTHLY buckets, since DAILY ones do not add up to a
    // month's figure either. Each extra request is read alongside the asked one.
    const grouped = Boolean(groupDefs);
    const [asked, ungrouped, months] = await Promise.all([
      ctx.paginate(
        'ce:GetCostAndUsage',
        { ...request, ...(groupDefs ? { GroupBy: groupDefs } : {}) },
        account,
        pageOptions,
      ),
      grouped && granularity !== 'MONTHLY'
        ? ctx.paginate('ce:GetCostAndUsage', request, account, pageOptions)
        : undefined,
      grouped || granularity !== 'MONTHLY'
        ? readPeriodFigures(ctx, account, range, metricNames, filter)
        : undefined,
    ]);
    const { pages, more } = asked;
    const incomplete = asked.incomplete ?? ungrouped?.incomplete;
    if (incomplete) notes.push(incomplete);
    if (months?.note && months.note !== incomplete) notes.push(months.note);
    const pageNote = asked.note ?? ungrouped?.note;
    if (pageNote && pageNote !== incomplete) notes.push(pageNote);

    const summary = summarise(pages, metricNames, grouped);
    // Cost Explorer's figure for each bucket of the asked granularity, and for each month of the range.
    const bucketFigures = !grouped
      ? periodFigures(pages, metricNames)
      : granularity === 'MONTHLY'
        ? months!.figures
        : periodFigures(ungrouped!.pages, metricNames);
    const monthFigures = months?.figures ?? bucketFigures;
    const primary = metricNames[0];
    const totalOf = (m: string) => rangeTotal(monthFigures, m);
    const primaryTotal = totalOf(primary);
    const unit = primaryTotal.unit ?? summary.units.get(primary) ?? 'USD';
    const estimated = summary.estimated || monthFigures.some((f) => f.estimated);

    const lines: string[] = [];
    lines.push(
      `**${primary} for account ${accountLabel(account)}, ${range.start} to ${range.end} (end exclusive): ` +
        `${exact(primaryTotal.amount)} ${unit}**${sumLabel(primaryTotal)}` +
        `${estimated ? ' (includes estimated data)' : ''}.`,
    );
    lines.push(
      `Granularity ${granularity}; credits and refunds ${creditsRefunds}` +
        `${creditsRefunds === 'excluded' ? ' (set include_credits_refunds to count them)' : ''}.`,
    );
    for (const m of metricNames.slice(1)) {
      const t = totalOf(m);
      lines.push(`${m}: ${exact(t.amount)} ${t.unit ?? summary.units.get(m) ?? ''}`.trim());
    }

    let groupsOut: { keys: string[]; amount: string; unit: string }[] = [];
    let others: { count: number; amount: string } | undefined;
    if (groupDefs) {
      const label = groupDefs.map((g) => g.Key).join(' / ');
      const rows = [...summary.groups.entries()].map(([key, byMetric]) => ({
        label: key,
        amount: byMetric.get(primary) ?? amount(0),
      }));
      // The groups' figures add up to their own sum, which is not Cost Explorer's total: the row says which it is.
      const ranked = rankedTable([label, `${primary} (${unit})`], rows, undefined, '**Sum of the groups**');
      lines.push('', ranked.text);
      if (bucketFigures.length > 1) {
        notes.push(
          `Each group's amount is the sum of its ${bucketFigures.length} ${granularity} figures over the range.`,
        );
      }
      groupsOut = ranked.shown.map((r) => ({ keys: r.label.split(' / '), amount: exact(r.amount), unit }));
      if (ranked.others) others = { count: ranked.others.count, amount: exact(ranked.others.amount) };
    }
    const periods = bucketFigures.map((f) => ({
      start: f.start,
      end: f.end,
      amount: f.amounts.get(primary) ?? amount(0),
      estimated: f.estimated,
    }));
    if (periods.length > 1) {
      const shown = periods.slice(-31);
      lines.push(
        '',
        table(
          ['Period start', `${primary} (${unit})`],
          shown.map((p) => [p.start + (p.estimated ? ' (est.)' : ''), exact(p.amount)]),
        ),
      );
      if (shown.length < periods.length) {
        notes.push(
          `Only the last ${shown.length} of ${periods.length} periods are listed; all are in the total.`,
        );
      }
    }

    return {
      text: lines.join('\n'),
      total: { amount: exact(primaryTotal.amount), unit },
      incomplete,
      data: {
        account_id: account.accountId,
        range,
        granularity,
        metrics: metricNames,
        credits_refunds: creditsRefunds,
        total: { amount: exact(primaryTotal.amount), unit },
        total_months: primaryTotal.months,
        totals: metricNames.map((m) => {
          const t = totalOf(m);
          return { metric: m, amount: exact(t.amount), unit: t.unit ?? summary.units.get(m) ?? '' };
        }),
        groups: groupsOut,
        ...(others ? { other_groups: others } : {}),
        periods: periods.map((p) => ({
          start: p.start,
          end: p.end,
          amount: exact(p.amount),
          estimated: p.estimated,
        })),
        estimated,
        more_pages: more || Boolean(ungrouped?.more),
        notes,
      },
    };
  },
});
