import type {
  GetSavingsPlansUtilizationResponse,
  SavingsPlansUtilizationAggregates,
  SavingsPlansUtilizationDetail,
} from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { amount, exact, rounded, sum, type Amount } from '../billing/money';
import { endDate, filters, period, refresh, startDate, targetAccountId } from './lib/params';
import {
  commitmentRequest,
  granularity,
  isNoCommitmentData,
  pctText,
  periodRow,
  periodsData,
  shownPeriods,
} from './lib/commitments';
import { defineTool } from './lib/types';

interface Figures {
  pct?: string;
  total: Amount;
  used: Amount;
  unused: Amount;
  netSavings?: Amount;
  onDemandEquivalent?: Amount;
}

function figures(
  a: Partial<Pick<SavingsPlansUtilizationAggregates, 'Utilization' | 'Savings'>> | undefined,
): Figures {
  const savings = a?.Savings;
  return {
    pct: a?.Utilization?.UtilizationPercentage,
    total: amount(a?.Utilization?.TotalCommitment),
    used: amount(a?.Utilization?.UsedCommitment),
    unused: amount(a?.Utilization?.UnusedCommitment),
    netSavings: savings?.NetSavings !== undefined ? amount(savings.NetSavings) : undefined,
    onDemandEquivalent:
      savings?.OnDemandCostEquivalent !== undefined ? amount(savings.OnDemandCostEquivalent) : undefined,
  };
}

function out(f: Figures) {
  return {
    ...(f.pct !== undefined ? { utilization_percentage: f.pct } : {}),
    total_commitment: exact(f.total),
    used_commitment: exact(f.used),
    unused_commitment: exact(f.unused),
    ...(f.netSavings ? { net_savings: exact(f.netSavings) } : {}),
    ...(f.onDemandEquivalent ? { on_demand_cost_equivalent: exact(f.onDemandEquivalent) } : {}),
  };
}

/** The attribute of a Savings Plan whose key matches `name` regardless of case (AWS's keys vary in casing). */
function attr(detail: SavingsPlansUtilizationDetail, name: string): string | undefined {
  const entry = Object.entries(detail.Attributes ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

export const getSavingsPlansUtilizationTool = defineTool({
  name: 'get-savings-plans-utilization',
  title: 'Get Savings Plans utilization',
  description:
    'Savings Plans utilization of an account (default: last month): utilization %, unused commitment, net ' +
    'savings, per period; each plan with include_details.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    granularity,
    include_details: z
      .boolean()
      .optional()
      .describe('true: each Savings Plan too (one more paid request per page).'),
    filters,
    refresh,
  },
  outputSchema: {
    total: z.looseObject({ unused_commitment: z.string() }).optional(),
  },
  operations: [
    'ce:GetSavingsPlansUtilization',
    'ce:GetSavingsPlansUtilizationDetails',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const {
      range,
      notes,
      account,
      granularity: requested,
      filter,
    } = await commitmentRequest(args, undefined, ctx);
    // GetSavingsPlansUtilization has no GroupBy, so a granularity is always sent.
    const gran = requested ?? 'MONTHLY';
    const timePeriod = { Start: range.start, End: range.end };

    let summary: Omit<GetSavingsPlansUtilizationResponse, '$metadata'> | undefined;
    try {
      summary = await ctx.call(
        'ce:GetSavingsPlansUtilization',
        { TimePeriod: timePeriod, Granularity: gran, ...(filter ? { Filter: filter } : {}) },
        account,
      );
    } catch (err) {
      if (!isNoCommitmentData(err)) throw err;
    }
    const base = { account_id: account.accountId, range, granularity: gran };
    if (!summary || !summary.Total) {
      return {
        text:
          `**No Savings Plans for account ${accountLabel(account)}, ${range.start} to ${range.end} (end exclusive)**: ` +
          `AWS reports no Savings Plans utilization then. get-purchase-recommendations (kind SAVINGS_PLANS) shows ` +
          `whether one would save money.`,
        data: { ...base, has_data: false, periods: [], more_pages: false, notes },
      };
    }

    const total = figures(summary.Total);
    const periods = (summary.SavingsPlansUtilizationsByTime ?? []).map((t) =>
      periodRow(t.TimePeriod, figures(t)),
    );

    let plans: { arn: string; detail: SavingsPlansUtilizationDetail; f: Figures }[] = [];
    let more = false;
    if (args.include_details) {
      const details = await ctx.paginate(
        'ce:GetSavingsPlansUtilizationDetails',
        { TimePeriod: timePeriod, ...(filter ? { Filter: filter } : {}) },
        account,
        { inputToken: 'NextToken', outputToken: 'NextToken', items: 'Savings Plans' },
      );
      more = details.more;
      if (details.note) notes.push(details.note);
      plans = details.pages
        .flatMap((p) => p.SavingsPlansUtilizationDetails ?? [])
        .map((d) => ({ arn: d.SavingsPlanArn ?? '', detail: d, f: figures(d) }))
        .sort((a, b) => b.f.unused.comparedTo(a.f.unused) || a.arn.localeCompare(b.arn));
    }
    const shownPlans = plans.slice(0, TOP_ROWS);
    const planOut = shownPlans.map((p) => {
      const fields: {
        type?: string;
        region?: string;
        instance_family?: string;
        term?: string;
        payment_option?: string;
      } = {};
      const set = (key: keyof typeof fields, value: string | undefined) => {
        if (value !== undefined && value !== '') fields[key] = value;
      };
      set('type', attr(p.detail, 'savingsPlansType'));
      set('region', attr(p.detail, 'region'));
      set('instance_family', attr(p.detail, 'instanceFamily'));
      set('term', attr(p.detail, 'term') ?? attr(p.detail, 'purchaseTerm'));
      set('payment_option', attr(p.detail, 'paymentOption'));
      return { arn: p.arn, ...fields, ...out(p.f) };
    });

    const lines: string[] = [
      `**Savings Plans utilization for account ${accountLabel(account)}, ${range.start} to ${range.end} (end ` +
        `exclusive): ${pctText(total.pct)}** — ${rounded(total.used)} of ${rounded(total.total)} USD commitment ` +
        `used; ${rounded(total.unused)} USD unused (exact ${exact(total.unused)})` +
        (total.netSavings ? `; net savings versus on-demand ${rounded(total.netSavings)} USD.` : '.'),
    ];
    if (periods.length > 1) {
      lines.push(
        '',
        table(
          ['Period start', 'Utilization', 'Used (USD)', 'Unused (USD)', 'Net savings (USD)'],
          shownPeriods(periods).map((p) => [
            p.start,
            pctText(p.f.pct),
            exact(p.f.used),
            exact(p.f.unused),
            p.f.netSavings ? exact(p.f.netSavings) : '',
          ]),
        ),
      );
    }
    if (args.include_details) {
      if (shownPlans.length === 0) {
        lines.push('', 'No per-plan details were returned.');
      } else {
        lines.push(
          '',
          table(
            ['Savings Plan', 'Type / term / payment', 'Utilization', 'Unused (USD)', 'Net savings (USD)'],
            planOut.map((p, i) => [
              p.arn,
              [p.type, p.term, p.payment_option].filter(Boolean).join(' / '),
              pctText(shownPlans[i].f.pct),
              p.unused_commitment,
              p.net_savings ?? '',
            ]),
          ),
        );
        if (plans.length > shownPlans.length) {
          const rest = plans.slice(TOP_ROWS);
          lines.push(
            `(${rest.length} more Savings Plans with ${exact(sum(rest.map((p) => p.f.unused)))} USD unused.)`,
          );
        }
      }
    }

    return {
      text: lines.join('\n'),
      data: {
        ...base,
        has_data: true,
        total: out(total),
        periods: periodsData(periods, out),
        ...(args.include_details ? { savings_plans: planOut } : {}),
        more_pages: more,
        notes,
      },
    };
  },
});
