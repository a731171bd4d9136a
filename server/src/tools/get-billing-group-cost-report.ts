import { z } from 'zod';
import { ToolInputError } from '../billing/errors';
import { table, accountLabel } from '../billing/format';
import { amount, compareDesc, exact, percentOf, sum, type Amount } from '../billing/money';
import { targetAccountId } from './lib/params';
import { addMonths, billingPeriod, maxResults, NEXT_TOKEN, resolveBillingPeriod } from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 25;

interface ReportRow {
  label: string;
  arn?: string;
  awsCost: Amount;
  proformaCost: Amount;
  margin: Amount;
  marginPercentage?: string;
  currency: string;
}

function rowFrom(
  label: string,
  e: {
    Arn?: string;
    AWSCost?: string;
    ProformaCost?: string;
    Margin?: string;
    MarginPercentage?: string;
    Currency?: string;
  },
): ReportRow {
  const awsCost = amount(e.AWSCost);
  const proformaCost = amount(e.ProformaCost);
  return {
    label,
    ...(e.Arn ? { arn: e.Arn } : {}),
    awsCost,
    proformaCost,
    // AWS sends the margin; derive it (pro forma minus AWS cost) only when it is missing.
    margin: e.Margin !== undefined ? amount(e.Margin) : proformaCost.minus(awsCost),
    ...(e.MarginPercentage !== undefined ? { marginPercentage: e.MarginPercentage } : {}),
    currency: e.Currency ?? 'USD',
  };
}

/** get-billing-group-cost-report: AWS cost, pro forma cost and margin per billing group. */
export const getBillingGroupCostReportTool = defineTool({
  name: 'get-billing-group-cost-report',
  title: 'Get billing group margins',
  description:
    'Billing Conductor margins: AWS cost, pro forma cost and margin per billing group, or of one group by ' +
    'product or month. Ask the payer account.',
  inputSchema: {
    target_account_id: targetAccountId,
    billing_period: billingPeriod,
    billing_group_arn: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('One group (ARN from list-billing-groups) in detail.'),
    end_billing_period: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'end_billing_period must be YYYY-MM')
      .optional()
      .describe('With billing_group_arn: end month, exclusive.'),
    group_by: z
      .enum(['PRODUCT_NAME', 'BILLING_PERIOD'])
      .optional()
      .describe('With billing_group_arn; default PRODUCT_NAME.'),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'rows'),
  },
  outputSchema: {
    totals: z.looseObject({ margin: z.string() }),
  },
  operations: [
    'billingconductor:ListBillingGroupCostReports',
    'billingconductor:GetBillingGroupCostReport',
    'billingconductor:ListBillingGroups',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const period = resolveBillingPeriod(args.billing_period, ctx.now);
    if (!args.billing_group_arn && (args.end_billing_period || args.group_by)) {
      throw new ToolInputError('end_billing_period and group_by need billing_group_arn (one billing group).');
    }
    const account = await ctx.account(args.target_account_id);
    const notes: string[] = [];
    let rows: ReportRow[];
    let more: boolean;
    let end: string | undefined;
    let groupBy: string | undefined;

    if (args.billing_group_arn) {
      end = args.end_billing_period ?? addMonths(period, 1);
      if (end <= period) {
        throw new ToolInputError(
          `end_billing_period ${end} must be after billing_period ${period} (it is exclusive).`,
        );
      }
      groupBy = args.group_by ?? 'PRODUCT_NAME';
      const r = await ctx.paginate(
        'billingconductor:GetBillingGroupCostReport',
        {
          Arn: args.billing_group_arn,
          BillingPeriodRange: { InclusiveStartBillingPeriod: period, ExclusiveEndBillingPeriod: end },
          GroupBy: [groupBy as 'PRODUCT_NAME' | 'BILLING_PERIOD'],
        },
        account,
        NEXT_TOKEN,
      );
      more = r.more;
      if (r.note) notes.push(r.note);
      rows = r.pages
        .flatMap((p) => p.BillingGroupCostReportResults ?? [])
        .map((e) => {
          const label =
            e.Attributes?.map((a) => a.Value)
              .filter(Boolean)
              .join(' / ') || '(total)';
          return rowFrom(label, { ...e, Arn: undefined });
        });
    } else {
      const [reports, groups] = await Promise.all([
        ctx.paginate(
          'billingconductor:ListBillingGroupCostReports',
          { BillingPeriod: period },
          account,
          NEXT_TOKEN,
        ),
        // Names for the ARNs the report lists.
        ctx.paginate('billingconductor:ListBillingGroups', { BillingPeriod: period }, account, NEXT_TOKEN),
      ]);
      more = reports.more;
      if (reports.note) notes.push(reports.note);
      const names = new Map(
        groups.pages.flatMap((p) => p.BillingGroups ?? []).map((g) => [g.Arn ?? '', g.Name ?? '']),
      );
      rows = reports.pages
        .flatMap((p) => p.BillingGroupCostReports ?? [])
        .map((e) => rowFrom(names.get(e.Arn ?? '') || (e.Arn ?? '').split('/').pop() || '', e));
    }

    rows.sort((a, b) => compareDesc(a.awsCost, b.awsCost) || a.label.localeCompare(b.label));
    const shown = rows.slice(0, limit);
    const rest = rows.slice(limit);
    const currencies = [...new Set(rows.map((r) => r.currency))];
    const currency = currencies[0] ?? 'USD';
    if (currencies.length > 1) notes.push(`Rows are in several currencies (${currencies.join(', ')}).`);
    const totalAws = sum(rows.map((r) => r.awsCost));
    const totalProforma = sum(rows.map((r) => r.proformaCost));
    const totalMargin = sum(rows.map((r) => r.margin));
    const totalPct = percentOf(totalMargin, totalProforma);

    const scope = args.billing_group_arn
      ? `billing group ${args.billing_group_arn.split('/').pop()} from ${period} to ${end} (exclusive), by ${groupBy}`
      : `all billing groups in ${period}`;
    const lines: string[] = [];
    if (rows.length === 0) {
      lines.push(`No Billing Conductor cost report rows for ${scope} in account ${accountLabel(account)}.`);
    } else {
      lines.push(
        `**${scope}, account ${accountLabel(account)}: AWS cost ${exact(totalAws)} ${currency}, pro forma ` +
          `${exact(totalProforma)} ${currency}, margin ${exact(totalMargin)} ${currency}` +
          `${totalPct !== undefined ? ` (${totalPct} % of pro forma)` : ''}.**`,
        '',
        table(
          [
            args.billing_group_arn ? (groupBy ?? '') : 'Billing group',
            'AWS cost',
            'Pro forma',
            'Margin',
            'Margin %',
          ],
          [
            ...shown.map((r) => [
              r.label,
              exact(r.awsCost),
              exact(r.proformaCost),
              exact(r.margin),
              r.marginPercentage ?? '-',
            ]),
            ...(rest.length
              ? [
                  [
                    `(${rest.length} others)`,
                    exact(sum(rest.map((r) => r.awsCost))),
                    exact(sum(rest.map((r) => r.proformaCost))),
                    exact(sum(rest.map((r) => r.margin))),
                    '',
                  ],
                ]
              : []),
            ['**Total**', exact(totalAws), exact(totalProforma), exact(totalMargin), totalPct ?? '-'],
          ],
        ),
      );
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        billing_period: period,
        ...(end ? { end_billing_period: end } : {}),
        ...(args.billing_group_arn ? { billing_group_arn: args.billing_group_arn } : {}),
        ...(groupBy ? { group_by: groupBy } : {}),
        currency,
        totals: {
          aws_cost: exact(totalAws),
          proforma_cost: exact(totalProforma),
          margin: exact(totalMargin),
          ...(totalPct !== undefined ? { margin_percentage: totalPct } : {}),
        },
        rows: shown.map((r) => ({
          group: r.label,
          ...(r.arn ? { arn: r.arn } : {}),
          aws_cost: exact(r.awsCost),
          proforma_cost: exact(r.proformaCost),
          margin: exact(r.margin),
          ...(r.marginPercentage !== undefined ? { margin_percentage: r.marginPercentage } : {}),
          currency: r.currency,
        })),
        ...(rest.length
          ? {
              others: {
                count: rest.length,
                aws_cost: exact(sum(rest.map((r) => r.awsCost))),
                proforma_cost: exact(sum(rest.map((r) => r.proformaCost))),
                margin: exact(sum(rest.map((r) => r.margin))),
              },
            }
          : {}),
        more_pages: more,
        notes,
      },
    };
  },
});
