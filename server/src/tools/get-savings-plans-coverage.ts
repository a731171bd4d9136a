import type { SavingsPlansCoverageData } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { amount, exact, percentOf, rounded, sum, type Amount } from '../billing/money';
import { endDate, filters, period, refresh, startDate, targetAccountId } from './lib/params';
import {
  attributesLabel,
  commitmentQuery,
  commitmentRequest,
  granularity,
  mergeByKey,
  pctText,
  periodRow,
  periodsData,
  readCommitmentPages,
  shownPeriods,
} from './lib/commitments';
import { defineTool } from './lib/types';

interface Figures {
  pct?: string;
  covered: Amount;
  onDemand: Amount;
  total: Amount;
}

function figures(c: SavingsPlansCoverageData | undefined): Figures {
  return {
    pct: c?.CoveragePercentage,
    covered: amount(c?.SpendCoveredBySavingsPlans),
    onDemand: amount(c?.OnDemandCost),
    total: amount(c?.TotalCost),
  };
}

function out(f: Figures) {
  return {
    ...(f.pct !== undefined ? { coverage_percentage: f.pct } : {}),
    covered_spend: exact(f.covered),
    on_demand_cost: exact(f.onDemand),
    total_cost: exact(f.total),
  };
}

/** Sums rows exactly; the percentage is recomputed from the sums (covered / total). */
function combine(rows: readonly Figures[]): Figures {
  const covered = sum(rows.map((r) => r.covered));
  const total = sum(rows.map((r) => r.total));
  return { covered, onDemand: sum(rows.map((r) => r.onDemand)), total, pct: percentOf(covered, total) };
}

export const getSavingsPlansCoverageTool = defineTool({
  name: 'get-savings-plans-coverage',
  title: 'Get Savings Plans coverage',
  description:
    "Savings Plans coverage of an account's eligible spend (default: last month): coverage %, covered and " +
    'on-demand spend, per period or by service, region or family.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    group_by: z
      .enum(['SERVICE', 'REGION', 'INSTANCE_FAMILY'])
      .optional()
      .describe('Break down by this (then over the whole range).'),
    granularity,
    filters,
    refresh,
  },
  outputSchema: {
    total: z.looseObject({ on_demand_cost: z.string() }).optional(),
  },
  operations: ['ce:GetSavingsPlansCoverage', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const request = await commitmentRequest(args, undefined, ctx);
    const { range, notes, account, granularity: gran } = request;
    const read = (groupBy: string | undefined) =>
      readCommitmentPages(
        ctx,
        'ce:GetSavingsPlansCoverage',
        commitmentQuery(request, groupBy),
        request,
        'NextToken',
        'rows',
      );
    // The answer carries no total for the range: the total is Cost Explorer's own row when the range is one bucket,
    // else the sum of its periods' rows (and says so). Grouped rows do not add up to that figure (each group is
    // rounded on its own), so a grouped question also reads the range ungrouped, alongside.
    const [{ pages, more }, overall] = await Promise.all([
      read(args.group_by),
      args.group_by ? read(undefined) : undefined,
    ]);

    const base = {
      account_id: account.accountId,
      range,
      ...(args.group_by ? { group_by: args.group_by } : {}),
      ...(gran ? { granularity: gran } : {}),
      more_pages: more,
    };
    const rows = pages.flatMap((p) => p.SavingsPlansCoverages ?? []);
    if (rows.length === 0) {
      return {
        text:
          `**No Savings Plans coverage data for account ${accountLabel(account)}, ${range.start} to ${range.end} (end ` +
          `exclusive)**: AWS reports no Savings Plans-eligible spend then (or Cost Explorer has no data for it yet).`,
        data: { ...base, has_data: false, groups: [], periods: [], notes },
      };
    }

    const totalRows = overall ? overall.pages.flatMap((p) => p.SavingsPlansCoverages ?? []) : rows;
    const total =
      totalRows.length === 1
        ? figures(totalRows[0].Coverage)
        : combine(totalRows.map((r) => figures(r.Coverage)));
    if (totalRows.length > 1) {
      notes.push(
        `The total adds up Cost Explorer's ${totalRows.length} period figures (the answer has none for the whole ` +
          'range); its percentage is recomputed from those sums.',
      );
    }
    const periodRows = args.group_by ? [] : rows.map((r) => periodRow(r.TimePeriod, figures(r.Coverage)));
    // A group seen once keeps AWS's percentage; one spread over several buckets gets it recomputed from its sums.
    const groups = (
      args.group_by
        ? mergeByKey(
            rows.map((r) => ({ key: attributesLabel(r.Attributes), f: figures(r.Coverage) })),
            combine,
          )
        : []
    ).sort((a, b) => b.f.onDemand.comparedTo(a.f.onDemand) || a.key.localeCompare(b.key));
    const shown = groups.slice(0, TOP_ROWS);

    const lines: string[] = [
      `**Savings Plans coverage for account ${accountLabel(account)}, ${range.start} to ${range.end} (end exclusive): ` +
        `${pctText(total.pct)}** — ${rounded(total.covered)} USD of ${rounded(total.total)} USD eligible spend ` +
        `covered; ${rounded(total.onDemand)} USD ran on demand (exact ${exact(total.onDemand)}).`,
    ];
    if (args.group_by && shown.length > 0) {
      lines.push(
        '',
        table(
          [args.group_by, 'Coverage', 'Covered (USD)', 'On-demand (USD)', 'Total (USD)'],
          shown.map((g) => [
            g.key,
            pctText(g.f.pct),
            exact(g.f.covered),
            exact(g.f.onDemand),
            exact(g.f.total),
          ]),
        ),
      );
      if (groups.length > shown.length) {
        const rest = groups.slice(TOP_ROWS);
        lines.push(
          `(${rest.length} more groups with ${exact(sum(rest.map((g) => g.f.onDemand)))} USD on demand.)`,
        );
      }
    } else if (periodRows.length > 1) {
      lines.push(
        '',
        table(
          ['Period start', 'Coverage', 'Covered (USD)', 'On-demand (USD)', 'Total (USD)'],
          shownPeriods(periodRows).map((p) => [
            p.start,
            pctText(p.f.pct),
            exact(p.f.covered),
            exact(p.f.onDemand),
            exact(p.f.total),
          ]),
        ),
      );
    }

    return {
      text: lines.join('\n'),
      data: {
        ...base,
        has_data: true,
        total: out(total),
        groups: shown.map((g) => ({ key: g.key, ...out(g.f) })),
        periods: periodsData(periodRows, out),
        notes,
      },
    };
  },
});
