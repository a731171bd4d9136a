import { z } from 'zod';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { exact, percentChange, rounded, sum, type Amount } from '../billing/money';
import { filters, includeCreditsRefunds, refresh, targetAccountId } from './lib/params';
import {
  baselineMonth,
  compared,
  COMPARISON_METRICS,
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

export const compareCostsTool = defineTool({
  name: 'compare-costs',
  title: 'Compare two months',
  description:
    "An account's cost in two whole months (default: last month vs the one before) by dimension or tag: " +
    'totals and change, groups ranked by change. Why: get-cost-drivers.',
  inputSchema: {
    target_account_id: targetAccountId,
    baseline_month: baselineMonth,
    comparison_month: comparisonMonth,
    metric: z
      .enum(COMPARISON_METRICS)
      .optional()
      .describe('Default UnblendedCost; UsageQuantity mixes units.'),
    group_by: comparisonGroupBy,
    group_by_tag: comparisonGroupByTag,
    filters,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    total: z.looseObject({ difference: z.string() }),
  },
  operations: ['ce:GetCostAndUsageComparisons', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const metric = args.metric ?? 'UnblendedCost';
    const request = await comparisonRequest(args, ctx);
    const { months, groupLabel, account, notes, creditsRefunds } = request;
    const { pages, more } = await readComparisonPages(
      ctx,
      'ce:GetCostAndUsageComparisons',
      comparisonQuery(request, metric),
      request,
      (maxPages) => `More groups exist beyond the ${maxPages} pages read; the total still covers them all.`,
    );

    // Rows keyed by label: a group split over pages is merged, exactly.
    const byKey = new Map<string, { baseline: Amount; comparison: Amount; unit: string }>();
    for (const c of pages.flatMap((p) => p.CostAndUsageComparisons ?? [])) {
      const v = compared(c.Metrics?.[metric]);
      const key = selectorLabel(c.CostAndUsageSelector);
      const prev = byKey.get(key);
      byKey.set(key, {
        baseline: (prev?.baseline ?? sum([])).plus(v.baseline),
        comparison: (prev?.comparison ?? sum([])).plus(v.comparison),
        unit: v.unit,
      });
    }
    const rows = [...byKey.entries()].map(([key, v]) => ({
      key,
      baseline: v.baseline,
      comparison: v.comparison,
      difference: v.comparison.minus(v.baseline),
      unit: v.unit,
    }));
    rows.sort((a, b) => b.difference.abs().comparedTo(a.difference.abs()) || a.key.localeCompare(b.key));

    // AWS's TotalCostAndUsage covers every page and is the figure stated; without it the total is the sum of the
    // groups read, and the answer says so (it is not a figure Cost Explorer gave for the months).
    const awsTotal = pages.find((p) => p.TotalCostAndUsage?.[metric])?.TotalCostAndUsage?.[metric];
    if (!awsTotal) {
      notes.push(
        'Cost Explorer returned no total for the months: the total is the sum of the groups read' +
          `${more ? ' (not all pages were read, so it is partial)' : ''}.`,
      );
    }
    const total: ComparedAmount = awsTotal
      ? compared(awsTotal)
      : {
          baseline: sum(rows.map((r) => r.baseline)),
          comparison: sum(rows.map((r) => r.comparison)),
          difference: sum(rows.map((r) => r.difference)),
          unit: rows[0]?.unit ?? 'USD',
        };
    const unit = total.unit;
    const shown = rows.slice(0, TOP_ROWS);
    const rest = rows.slice(TOP_ROWS);

    const pct = percentChange(total.baseline, total.comparison);
    const lines: string[] = [
      `**${metric} for account ${accountLabel(account)}: ${months.baselineLabel} ${rounded(total.baseline)} ${unit} → ` +
        `${months.comparisonLabel} ${rounded(total.comparison)} ${unit}, ${signed(total.difference)} ${unit} ` +
        `(${signedPercent(pct)}).**`,
      `Exact: ${exact(total.baseline)} → ${exact(total.comparison)} (${exact(total.difference)}). Grouped by ` +
        `${groupLabel}, ranked by absolute change; credits and refunds ${creditsRefunds}.`,
    ];
    if (rows.length === 0) {
      lines.push('', 'No groups had cost or usage in either month.');
    } else {
      const cells = shown.map((r) => [
        r.key,
        exact(r.baseline),
        exact(r.comparison),
        signed(r.difference, 2),
        signedPercent(percentChange(r.baseline, r.comparison)),
      ]);
      if (rest.length > 0) {
        cells.push([
          `(${rest.length} others)`,
          exact(sum(rest.map((r) => r.baseline))),
          exact(sum(rest.map((r) => r.comparison))),
          signed(sum(rest.map((r) => r.difference))),
          '',
        ]);
      }
      lines.push(
        '',
        table(
          [
            groupLabel,
            `${months.baselineLabel} (${unit})`,
            `${months.comparisonLabel} (${unit})`,
            'Change',
            '% change',
          ],
          cells,
        ),
      );
    }

    const change = (r: { baseline: Amount; comparison: Amount; difference: Amount }) => {
      const p = percentChange(r.baseline, r.comparison);
      return {
        baseline: exact(r.baseline),
        comparison: exact(r.comparison),
        difference: exact(r.difference),
        ...(p !== undefined ? { percent_change: p } : {}),
      };
    };
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        baseline_month: months.baselineLabel,
        comparison_month: months.comparisonLabel,
        metric,
        group_by: groupLabel,
        credits_refunds: creditsRefunds,
        unit,
        total: change(total),
        groups: shown.map((r) => ({ key: r.key, ...change(r) })),
        ...(rest.length > 0
          ? {
              other_groups: {
                count: rest.length,
                baseline: exact(sum(rest.map((r) => r.baseline))),
                comparison: exact(sum(rest.map((r) => r.comparison))),
                difference: exact(sum(rest.map((r) => r.difference))),
              },
            }
          : {}),
        comparison_incomplete: months.comparisonIncomplete,
        more_pages: more,
        notes,
      },
    };
  },
});
