import { z } from 'zod';
import { daysBetween, resolveRange } from '../billing/dates';
import { ToolInputError } from '../billing/errors';
import { buildFilter, buildGroupBy } from '../billing/filters';
import { rankedTable, table } from '../billing/format';
import { amount, exact } from '../billing/money';
import {
  endDate,
  filters,
  groupBy,
  includeCreditsRefunds,
  metrics,
  period,
  rangeShape,
  refresh,
  startDate,
  targetAccountId,
} from './lib/params';
import { summarise } from './lib/cost-table';
import { defineTool } from './lib/types';

export const getCostAndUsageTool = defineTool({
  name: 'get-cost-and-usage',
  title: 'Get cost and usage',
  description:
    'Cost and usage for one account over a period (default: month to date), optionally grouped by up to two ' +
    'dimensions, tags or cost categories and filtered. Answers with the exact total and a table ranked by cost. ' +
    'Credits and refunds are excluded unless include_credits_refunds is true.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    granularity: z
      .enum(['MONTHLY', 'DAILY', 'HOURLY'])
      .optional()
      .describe('Time buckets; default MONTHLY. HOURLY covers only the last 14 days (and must be enabled).'),
    metrics,
    group_by: groupBy,
    filters,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    account_id: z.string(),
    range: rangeShape,
    granularity: z.string(),
    metrics: z.array(z.string()),
    credits_refunds: z.enum(['excluded', 'included']),
    total: z.object({ amount: z.string(), unit: z.string() }),
    totals: z.array(z.object({ metric: z.string(), amount: z.string(), unit: z.string() })),
    groups: z.array(z.object({ keys: z.array(z.string()), amount: z.string(), unit: z.string() })),
    other_groups: z.object({ count: z.number(), amount: z.string() }).optional(),
    periods: z.array(
      z.object({ start: z.string(), end: z.string(), amount: z.string(), estimated: z.boolean() }),
    ),
    estimated: z.boolean(),
    more_pages: z.boolean(),
  },
  operations: ['ce:GetCostAndUsage', 'sts:GetCallerIdentity'],
  fanout: true,
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

    const { pages, more, incomplete } = await ctx.paginate(
      'ce:GetCostAndUsage',
      {
        TimePeriod: { Start: range.start, End: range.end },
        Granularity: granularity,
        Metrics: metricNames,
        ...(groupDefs ? { GroupBy: groupDefs } : {}),
        ...(filter ? { Filter: filter } : {}),
      },
      account,
      { inputToken: 'NextPageToken', outputToken: 'NextPageToken' },
    );
    if (incomplete) notes.push(incomplete);
    if (more && !incomplete)
      notes.push(`More pages exist beyond the ${ctx.config.maxPages} read; narrow the range or filters.`);

    const summary = summarise(pages, metricNames, Boolean(groupDefs));
    const primary = metricNames[0];
    const unit = summary.units.get(primary) ?? 'USD';
    const primaryTotal = summary.totals.get(primary) ?? amount(0);

    const lines: string[] = [];
    lines.push(
      `**${primary} for account ${account.accountId}, ${range.start} to ${range.end} (end exclusive): ` +
        `${exact(primaryTotal)} ${unit}**${summary.estimated ? ' (includes estimated data)' : ''}.`,
    );
    lines.push(
      `Granularity ${granularity}; credits and refunds ${creditsRefunds}` +
        `${creditsRefunds === 'excluded' ? ' (set include_credits_refunds to count them)' : ''}.`,
    );
    for (const m of metricNames.slice(1)) {
      lines.push(`${m}: ${exact(summary.totals.get(m) ?? amount(0))} ${summary.units.get(m) ?? ''}`.trim());
    }

    let groupsOut: { keys: string[]; amount: string; unit: string }[] = [];
    let others: { count: number; amount: string } | undefined;
    if (groupDefs) {
      const label = groupDefs.map((g) => g.Key).join(' / ');
      const rows = [...summary.groups.entries()].map(([key, byMetric]) => ({
        label: key,
        amount: byMetric.get(primary) ?? amount(0),
      }));
      const ranked = rankedTable([label, `${primary} (${unit})`], rows);
      lines.push('', ranked.text);
      groupsOut = ranked.shown.map((r) => ({ keys: r.label.split(' / '), amount: exact(r.amount), unit }));
      if (ranked.others) others = { count: ranked.others.count, amount: exact(ranked.others.amount) };
    }
    if (summary.periods.length > 1) {
      const shown = summary.periods.slice(-31);
      lines.push(
        '',
        table(
          ['Period start', `${primary} (${unit})`],
          shown.map((p) => [p.start + (p.estimated ? ' (est.)' : ''), exact(p.amount)]),
        ),
      );
      if (shown.length < summary.periods.length) {
        notes.push(
          `Only the last ${shown.length} of ${summary.periods.length} periods are listed; all are in the total.`,
        );
      }
    }

    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        range,
        granularity,
        metrics: metricNames,
        credits_refunds: creditsRefunds,
        total: { amount: exact(primaryTotal), unit },
        totals: metricNames.map((m) => ({
          metric: m,
          amount: exact(summary.totals.get(m) ?? amount(0)),
          unit: summary.units.get(m) ?? '',
        })),
        groups: groupsOut,
        ...(others ? { other_groups: others } : {}),
        periods: summary.periods.map((p) => ({
          start: p.start,
          end: p.end,
          amount: exact(p.amount),
          estimated: p.estimated,
        })),
        estimated: summary.estimated,
        more_pages: more,
        notes,
      },
    };
  },
});
