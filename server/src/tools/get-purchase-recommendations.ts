import type {
  InstanceDetails,
  ReservationPurchaseRecommendationDetail,
  SavingsPlansPurchaseRecommendationDetail,
} from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { ToolInputError } from '../billing/errors';
import { table, accountLabel } from '../billing/format';
import { amount, exact, rounded, sum, type Amount } from '../billing/money';
import { refresh, targetAccountId } from './lib/params';
import { isNoCommitmentData, RESERVATION_SERVICES } from './lib/commitments';
import { defineTool } from './lib/types';

const SAVINGS_PLANS_TYPES = ['COMPUTE_SP', 'EC2_INSTANCE_SP', 'SAGEMAKER_SP', 'DATABASE_SP'] as const;
const TERMS = ['ONE_YEAR', 'THREE_YEARS'] as const;
const PAYMENT_OPTIONS = ['NO_UPFRONT', 'PARTIAL_UPFRONT', 'ALL_UPFRONT'] as const;
const LOOKBACKS = ['SEVEN_DAYS', 'THIRTY_DAYS', 'SIXTY_DAYS'] as const;

/**
 * Months until the upfront payment is paid back by the monthly savings: upfront / monthly savings, computed with
 * exact decimals and shown to 1 decimal. Zero upfront pays back at once; no savings never pays back.
 */
export function breakEvenMonths(upfront: Amount, monthlySavings: Amount): string | undefined {
  if (upfront.isZero()) return '0';
  if (monthlySavings.lessThanOrEqualTo(0)) return undefined;
  return rounded(upfront.div(monthlySavings), 1);
}

/** What is recommended, in words: "m5.large (EC2, us-east-1, Linux/UNIX)". */
function instanceLabel(details: InstanceDetails | undefined): string {
  if (!details) return '';
  const d =
    details.EC2InstanceDetails ??
    details.RDSInstanceDetails ??
    details.ElastiCacheInstanceDetails ??
    details.RedshiftInstanceDetails ??
    details.ESInstanceDetails ??
    details.MemoryDBInstanceDetails;
  if (!d) return '';
  const rec = d as Record<string, unknown>;
  const type = (rec.InstanceType ?? rec.NodeType ?? rec.InstanceClass ?? rec.Family ?? '') as string;
  const extra = [rec.Region, rec.Platform, rec.DatabaseEngine, rec.ProductDescription, rec.DeploymentOption]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .join(', ');
  return extra ? `${type} (${extra})` : type;
}

/** One recommendation as the answer lists it under `recommendations`. */
interface Recommendation {
  description: string;
  account_id?: string;
  quantity?: string;
  hourly_commitment?: string;
  upfront_cost: string;
  estimated_monthly_savings: string;
  estimated_savings_percentage?: string;
  estimated_monthly_on_demand_cost?: string;
  break_even_months?: string;
  average_utilization?: string;
}

export const getPurchaseRecommendationsTool = defineTool({
  name: 'get-purchase-recommendations',
  title: 'Get purchase recommendations',
  description:
    'What AWS recommends buying to cut on-demand spend: Savings Plans, or Reserved Instances for one ' +
    'service, with monthly savings, upfront cost and break-even.',
  inputSchema: {
    target_account_id: targetAccountId,
    kind: z.enum(['SAVINGS_PLANS', 'RESERVED_INSTANCES']).optional().describe('Default SAVINGS_PLANS.'),
    savings_plans_type: z
      .enum(SAVINGS_PLANS_TYPES)
      .optional()
      .describe('Savings Plans only; default COMPUTE_SP.'),
    service: z.enum(RESERVATION_SERVICES).optional().describe('Reserved Instances only; default EC2.'),
    term: z.enum(TERMS).optional().describe('Default ONE_YEAR.'),
    payment_option: z.enum(PAYMENT_OPTIONS).optional().describe('Default NO_UPFRONT.'),
    lookback: z.enum(LOOKBACKS).optional().describe('Past usage used; default THIRTY_DAYS.'),
    offering_class: z
      .enum(['STANDARD', 'CONVERTIBLE'])
      .optional()
      .describe('EC2 RIs only; default STANDARD (cheaper).'),
    account_scope: z
      .enum(['PAYER', 'LINKED'])
      .optional()
      .describe('PAYER (default): the organization, from a management account.'),
    limit: z.number().int().min(1).max(25).optional().describe('Recommendations listed; default 10.'),
    refresh,
  },
  outputSchema: {
    estimated_monthly_savings: z.string(),
  },
  operations: [
    'ce:GetSavingsPlansPurchaseRecommendation',
    'ce:GetReservationPurchaseRecommendation',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const kind = args.kind ?? 'SAVINGS_PLANS';
    if (kind === 'SAVINGS_PLANS' && args.service) {
      throw new ToolInputError(
        'service applies to RESERVED_INSTANCES; for Savings Plans choose savings_plans_type.',
      );
    }
    if (kind === 'RESERVED_INSTANCES' && args.savings_plans_type) {
      throw new ToolInputError(
        'savings_plans_type applies to SAVINGS_PLANS; for reservations choose service.',
      );
    }
    const term = args.term ?? 'ONE_YEAR';
    const payment = args.payment_option ?? 'NO_UPFRONT';
    const lookback = args.lookback ?? 'THIRTY_DAYS';
    const scope = args.account_scope ?? 'PAYER';
    const limit = args.limit ?? 10;
    const spType = args.savings_plans_type ?? 'COMPUTE_SP';
    const service = args.service ?? 'Amazon Elastic Compute Cloud - Compute';
    const isEc2 = service === 'Amazon Elastic Compute Cloud - Compute';
    if (args.offering_class && (kind !== 'RESERVED_INSTANCES' || !isEc2)) {
      throw new ToolInputError(
        'offering_class applies only to RESERVED_INSTANCES for Amazon Elastic Compute Cloud - Compute.',
      );
    }
    const offeringClass = args.offering_class ?? 'STANDARD';
    const parameters: Record<string, string> = {
      ...(kind === 'SAVINGS_PLANS'
        ? { savings_plans_type: spType }
        : { service, ...(isEc2 ? { offering_class: offeringClass } : {}) }),
      term,
      payment_option: payment,
      lookback,
      account_scope: scope,
    };
    const account = await ctx.account(args.target_account_id);
    const notes: string[] = [];

    type Row = Recommendation & { savings: Amount; upfront: Amount };
    let rows: Row[] = [];
    let currency = 'USD';
    let totalSavings: Amount | undefined;
    let savingsPct: string | undefined;
    let hourly: string | undefined;
    let onDemandSpend: string | undefined;
    let generatedAt: string | undefined;
    let more = false;

    try {
      if (kind === 'SAVINGS_PLANS') {
        const type = spType;
        const result = await ctx.paginate(
          'ce:GetSavingsPlansPurchaseRecommendation',
          {
            SavingsPlansType: type,
            TermInYears: term,
            PaymentOption: payment,
            LookbackPeriodInDays: lookback,
            AccountScope: scope,
          },
          account,
          { inputToken: 'NextPageToken', outputToken: 'NextPageToken' },
        );
        more = result.more;
        if (result.incomplete) notes.push(result.incomplete);
        const first = result.pages[0];
        generatedAt = first?.Metadata?.GenerationTimestamp;
        const summary = first?.SavingsPlansPurchaseRecommendation?.SavingsPlansPurchaseRecommendationSummary;
        if (summary) {
          currency = summary.CurrencyCode ?? currency;
          totalSavings = amount(summary.EstimatedMonthlySavingsAmount);
          savingsPct = summary.EstimatedSavingsPercentage;
          hourly = summary.HourlyCommitmentToPurchase;
          onDemandSpend = summary.CurrentOnDemandSpend;
        }
        const details: SavingsPlansPurchaseRecommendationDetail[] = result.pages.flatMap(
          (p) => p.SavingsPlansPurchaseRecommendation?.SavingsPlansPurchaseRecommendationDetails ?? [],
        );
        rows = details.map((d) => {
          const savings = amount(d.EstimatedMonthlySavingsAmount);
          const upfront = amount(d.UpfrontCost);
          const be = breakEvenMonths(upfront, savings);
          const where = [d.SavingsPlansDetails?.InstanceFamily, d.SavingsPlansDetails?.Region]
            .filter(Boolean)
            .join(' in ');
          return {
            description: `${type}${where ? ` ${where}` : ''}`,
            ...(d.AccountId ? { account_id: d.AccountId } : {}),
            ...(d.HourlyCommitmentToPurchase ? { hourly_commitment: d.HourlyCommitmentToPurchase } : {}),
            upfront_cost: exact(upfront),
            estimated_monthly_savings: exact(savings),
            ...(d.EstimatedSavingsPercentage
              ? { estimated_savings_percentage: d.EstimatedSavingsPercentage }
              : {}),
            ...(be !== undefined ? { break_even_months: be } : {}),
            ...(d.EstimatedAverageUtilization ? { average_utilization: d.EstimatedAverageUtilization } : {}),
            savings,
            upfront,
          };
        });
      } else {
        const result = await ctx.paginate(
          'ce:GetReservationPurchaseRecommendation',
          {
            Service: service,
            TermInYears: term,
            PaymentOption: payment,
            LookbackPeriodInDays: lookback,
            AccountScope: scope,
            ...(isEc2
              ? { ServiceSpecification: { EC2Specification: { OfferingClass: offeringClass } } }
              : {}),
          },
          account,
          { inputToken: 'NextPageToken', outputToken: 'NextPageToken' },
        );
        more = result.more;
        if (result.incomplete) notes.push(result.incomplete);
        generatedAt = result.pages[0]?.Metadata?.GenerationTimestamp;
        const recs = result.pages.flatMap((p) => p.Recommendations ?? []);
        const summaries = recs.map((r) => r.RecommendationSummary).filter((s) => s !== undefined);
        if (summaries.length > 0) {
          currency = summaries[0].CurrencyCode ?? currency;
          totalSavings = sum(summaries.map((s) => s.TotalEstimatedMonthlySavingsAmount));
          if (summaries.length === 1) savingsPct = summaries[0].TotalEstimatedMonthlySavingsPercentage;
        }
        const details: ReservationPurchaseRecommendationDetail[] = recs.flatMap(
          (r) => r.RecommendationDetails ?? [],
        );
        rows = details.map((d) => {
          const savings = amount(d.EstimatedMonthlySavingsAmount);
          const upfront = amount(d.UpfrontCost);
          const be = breakEvenMonths(upfront, savings);
          return {
            description: instanceLabel(d.InstanceDetails) || service,
            ...(d.AccountId ? { account_id: d.AccountId } : {}),
            ...(d.RecommendedNumberOfInstancesToPurchase
              ? { quantity: d.RecommendedNumberOfInstancesToPurchase }
              : {}),
            upfront_cost: exact(upfront),
            estimated_monthly_savings: exact(savings),
            ...(d.EstimatedMonthlySavingsPercentage
              ? { estimated_savings_percentage: d.EstimatedMonthlySavingsPercentage }
              : {}),
            ...(d.EstimatedMonthlyOnDemandCost
              ? { estimated_monthly_on_demand_cost: exact(amount(d.EstimatedMonthlyOnDemandCost)) }
              : {}),
            ...(be !== undefined ? { break_even_months: be } : {}),
            ...(d.AverageUtilization ? { average_utilization: d.AverageUtilization } : {}),
            savings,
            upfront,
          };
        });
      }
    } catch (err) {
      // Cost Explorer answers DataUnavailable when there is no usage to base a recommendation on.
      if (!isNoCommitmentData(err)) throw err;
      rows = [];
    }

    rows.sort((a, b) => b.savings.comparedTo(a.savings) || a.description.localeCompare(b.description));
    const shown = rows.slice(0, limit);
    const monthly = totalSavings ?? sum(rows.map((r) => r.savings));
    const upfrontTotal = sum(rows.map((r) => r.upfront));
    const overallBreakEven = rows.length ? breakEvenMonths(upfrontTotal, monthly) : undefined;
    const what =
      kind === 'SAVINGS_PLANS'
        ? `${spType} Savings Plans`
        : `${service}${isEc2 ? ` ${offeringClass.toLowerCase()}` : ''} Reserved Instances`;
    const terms = `${term}, ${payment}, based on ${lookback.toLowerCase().replace('_', ' ')}`;

    const lines: string[] = [];
    if (rows.length === 0) {
      lines.push(
        `**No ${what} recommended for account ${accountLabel(account)}** (${terms}): AWS found no steady on-demand usage ` +
          `that this purchase would make cheaper.`,
      );
    } else {
      lines.push(
        `**Buying the recommended ${what} for account ${accountLabel(account)} would save an estimated ` +
          `${rounded(monthly)} ${currency} per month` +
          (savingsPct ? ` (${rounded(savingsPct, 1)}%)` : '') +
          `** (${terms}). Upfront ${rounded(upfrontTotal)} ${currency}` +
          (overallBreakEven !== undefined ? `; break-even after ${overallBreakEven} months` : '') +
          (hourly ? `; commitment ${hourly} ${currency}/hour` : '') +
          '.',
        '',
        table(
          [
            'Recommendation',
            kind === 'SAVINGS_PLANS' ? 'Commitment/h' : 'Quantity',
            `Monthly savings (${currency})`,
            'Savings %',
            `Upfront (${currency})`,
            'Break-even (months)',
          ],
          shown.map((r) => [
            r.description + (r.account_id ? ` [${r.account_id}]` : ''),
            (kind === 'SAVINGS_PLANS' ? r.hourly_commitment : r.quantity) ?? '',
            r.estimated_monthly_savings,
            r.estimated_savings_percentage !== undefined ? `${r.estimated_savings_percentage}%` : '',
            r.upfront_cost,
            r.break_even_months ?? 'never',
          ]),
        ),
      );
      if (rows.length > shown.length) {
        lines.push(
          `(${rows.length - shown.length} smaller recommendations not listed; they are in the total.)`,
        );
      }
      notes.push('Estimates assume usage stays as it was in the lookback period.');
    }

    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        kind,
        parameters,
        has_recommendations: rows.length > 0,
        currency,
        estimated_monthly_savings: exact(monthly),
        ...(savingsPct !== undefined ? { estimated_savings_percentage: savingsPct } : {}),
        total_upfront_cost: exact(upfrontTotal),
        ...(overallBreakEven !== undefined ? { break_even_months: overallBreakEven } : {}),
        ...(hourly !== undefined ? { hourly_commitment: hourly } : {}),
        ...(onDemandSpend !== undefined ? { current_on_demand_spend: onDemandSpend } : {}),
        recommendation_count: rows.length,
        recommendations: shown.map(({ savings: _s, upfront: _u, ...r }) => r),
        ...(generatedAt ? { generated_at: generatedAt } : {}),
        more_pages: more,
        notes,
      },
    };
  },
});
