import { z } from 'zod';
import { table, accountLabel } from '../billing/format';
import { exact, percentChange, sum } from '../billing/money';
import { filters, includeCreditsRefunds, looseRows, refresh, targetAccountId } from './lib/params';
import {
  baselineMonth,
  compared,
  comparisonGroupBy,
  comparisonGroupByTag,
  comparisonQuery,
  comparisonRequest,
  comparisonMonth,
  readComparisonPages,
  selectorLabel,
  signed,
  signedPercent,
  type ComparedAmount,
} from './lib/month-comparison';
import { defineTool } from './lib/types';

const DRIVER_METRICS = [
  'UnblendedCost',
  'AmortizedCost',
  'NetUnblendedCost',
  'NetAmortizedCost',
  'BlendedCost',
] as const;

export const getCostDriversTool = defineTool({
  name: 'get-cost-drivers',
  title: 'Get cost change drivers',
  description:
    "Why an account's cost changed between two whole months (default: last month vs the one before): the " +
    'top drivers (usage, commitments, credits, tax…) with deltas.',
  inputSchema: {
    target_account_id: targetAccountId,
    baseline_month: baselineMonth,
    comparison_month: comparisonMonth,
    metric: z.enum(DRIVER_METRICS).optional().describe('Default UnblendedCost.'),
    group_by: comparisonGroupBy,
    group_by_tag: comparisonGroupByTag,
    filters,
    limit: z
      .number()
      .int()
      .min(1)
      .max(25)
      .optional()
      .describe('Drivers listed, largest change first; default 10.'),
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    drivers: looseRows(),
  },
  operations: ['ce:GetCostComparisonDrivers', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const metric = args.metric ?? 'UnblendedCost';
    const limit = args.limit ?? 10;
    const request = await comparisonRequest(args, ctx);
    const { months, groupLabel, account, notes, creditsRefunds } = request;
    const { pages, more } = await readComparisonPages(
      ctx,
      'ce:GetCostComparisonDrivers',
      comparisonQuery(request, metric),
      request,
      (maxPages) => `More drivers exist beyond the ${maxPages} pages read.`,
    );

    const groups: { group: string; cost: ComparedAmount }[] = [];
    const drivers: {
      group: string;
      type: string;
      name: string;
      cost: ComparedAmount;
      usage: { metric: string; value: ComparedAmount }[];
    }[] = [];
    for (const g of pages.flatMap((p) => p.CostComparisonDrivers ?? [])) {
      const group = selectorLabel(g.CostSelector);
      groups.push({ group, cost: compared(g.Metrics?.[metric]) });
      for (const d of g.CostDrivers ?? []) {
        const usage = Object.entries(d.Metrics ?? {})
          .filter(([name]) => name !== metric)
          .map(([name, value]) => ({ metric: name, value: compared(value) }));
        drivers.push({
          group,
          type: d.Type ?? 'UNKNOWN',
          name: d.Name ?? '',
          cost: compared(d.Metrics?.[metric]),
          usage,
        });
      }
    }
    const byAbsChange = (a: { cost: ComparedAmount }, b: { cost: ComparedAmount }) =>
      b.cost.difference.abs().comparedTo(a.cost.difference.abs());
    drivers.sort(byAbsChange);
    groups.sort(byAbsChange);
    const top = drivers.slice(0, limit);
    const unit = top[0]?.cost.unit ?? groups[0]?.cost.unit ?? 'USD';
    const net = sum(groups.map((g) => g.cost.difference));

    const lines: string[] = [];
    if (drivers.length === 0) {
      lines.push(
        `**No cost drivers for account ${accountLabel(account)} between ${months.baselineLabel} and ` +
          `${months.comparisonLabel}** (${metric}): AWS found no significant change to explain.`,
      );
    } else {
      const lead = top[0];
      lines.push(
        `**Top driver of the ${metric} change for account ${accountLabel(account)} from ${months.baselineLabel} to ` +
          `${months.comparisonLabel}: ${lead.type} ${lead.name || ''} in ${lead.group}, ` +
          `${signed(lead.cost.difference)} ${lead.cost.unit}.**`.replace(/ {2,}/g, ' '),
        `The ${groups.length} group(s) with drivers changed by ${signed(net)} ${unit} in all (exact ${exact(net)}); ` +
          `showing ${top.length} of ${drivers.length} drivers, ranked by absolute cost change; credits and refunds ` +
          `${creditsRefunds}.`,
        '',
        table(
          [
            groupLabel,
            'Driver',
            'What',
            `${months.baselineLabel}`,
            `${months.comparisonLabel}`,
            'Change',
            'Usage change',
          ],
          top.map((d) => [
            d.group,
            d.type,
            d.name,
            exact(d.cost.baseline),
            exact(d.cost.comparison),
            `${signed(d.cost.difference)} (${signedPercent(percentChange(d.cost.baseline, d.cost.comparison))})`,
            d.usage.map((u) => `${signed(u.value.difference, 2)} ${u.value.unit}`).join('; '),
          ]),
        ),
      );
      if (top.length < drivers.length) {
        const rest = drivers.slice(limit);
        lines.push(
          `(${rest.length} smaller drivers: ${signed(sum(rest.map((d) => d.cost.difference)))} ${unit} together.)`,
        );
      }
    }

    const delta = (v: ComparedAmount) => ({
      baseline: exact(v.baseline),
      comparison: exact(v.comparison),
      difference: exact(v.difference),
      unit: v.unit,
    });
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        baseline_month: months.baselineLabel,
        comparison_month: months.comparisonLabel,
        metric,
        group_by: groupLabel,
        credits_refunds: creditsRefunds,
        drivers: top.map((d) => {
          const p = percentChange(d.cost.baseline, d.cost.comparison);
          return {
            group: d.group,
            type: d.type,
            name: d.name,
            cost: delta(d.cost),
            ...(p !== undefined ? { percent_change: p } : {}),
            usage: d.usage.map((u) => ({ metric: u.metric, ...delta(u.value) })),
          };
        }),
        groups: groups.slice(0, 25).map((g) => ({ group: g.group, ...delta(g.cost) })),
        driver_count: drivers.length,
        comparison_incomplete: months.comparisonIncomplete,
        more_pages: more,
        notes,
      },
    };
  },
});
