import { z } from 'zod';
import { table, accountLabel } from '../billing/format';
import { amount, exact, sum } from '../billing/money';
import { looseRows, targetAccountId } from './lib/params';
import { billingPeriod, byName, maxResults, NEXT_TOKEN, resolveBillingPeriod } from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 25;

/** list-custom-line-items: Billing Conductor credits and fees. */
export const listCustomLineItemsTool = defineTool({
  name: 'list-custom-line-items',
  title: 'List custom line items',
  description:
    'Billing Conductor custom line items (credits and fees on billing groups) of a month (default: this ' +
    'one), with exact totals. Ask the payer account.',
  inputSchema: {
    target_account_id: targetAccountId,
    billing_period: billingPeriod,
    billing_group_arn: z.string().min(1).max(200).optional().describe("Only this billing group's items."),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'custom line items'),
  },
  outputSchema: {
    custom_line_items: looseRows(),
  },
  operations: ['billingconductor:ListCustomLineItems', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const period = resolveBillingPeriod(args.billing_period, ctx.now);
    const account = await ctx.account(args.target_account_id);
    const read = await ctx.paginate(
      'billingconductor:ListCustomLineItems',
      {
        BillingPeriod: period,
        ...(args.billing_group_arn ? { Filters: { BillingGroups: [args.billing_group_arn] } } : {}),
      },
      account,
      NEXT_TOKEN,
    );
    const notes: string[] = [];
    if (read.note) notes.push(read.note);
    const items = read.pages.flatMap((p) => p.CustomLineItems ?? []).sort(byName);
    const flat = (type: string) =>
      sum(
        items
          .filter((i) => i.ChargeDetails?.Type === type && i.ChargeDetails.Flat?.ChargeValue !== undefined)
          .map((i) => amount(i.ChargeDetails?.Flat?.ChargeValue)),
      );
    const credits = flat('CREDIT');
    const fees = flat('FEE');
    const currency = items.find((i) => i.CurrencyCode)?.CurrencyCode ?? 'USD';
    const shown = items.slice(0, limit);

    const lines: string[] = [];
    if (items.length === 0) {
      lines.push(
        `No Billing Conductor custom line items in ${period}${args.billing_group_arn ? ' for that billing group' : ''} ` +
          `for account ${accountLabel(account)}.`,
      );
    } else {
      lines.push(
        `**${items.length} custom line item(s) in ${period} for account ${accountLabel(account)}: flat credits ` +
          `${exact(credits)} ${currency}, flat fees ${exact(fees)} ${currency}.**`,
        '',
        table(
          ['Name', 'Type', 'Charge', 'Billing group', 'Description'],
          shown.map((i) => [
            i.Name ?? '',
            i.ChargeDetails?.Type ?? '',
            i.ChargeDetails?.Flat?.ChargeValue !== undefined
              ? `${exact(amount(i.ChargeDetails.Flat.ChargeValue))} ${i.CurrencyCode ?? currency}`
              : i.ChargeDetails?.Percentage?.PercentageValue !== undefined
                ? `${exact(amount(i.ChargeDetails.Percentage.PercentageValue))} %`
                : '-',
            (i.BillingGroupArn ?? '').split('/').pop() ?? '',
            i.Description ?? '',
          ]),
        ),
      );
      if (shown.length < items.length) lines.push(`…and ${items.length - shown.length} more items.`);
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        billing_period: period,
        matched: items.length,
        flat_credits_total: exact(credits),
        flat_fees_total: exact(fees),
        currency,
        custom_line_items: shown.map((i) => ({
          name: i.Name ?? '',
          arn: i.Arn ?? '',
          type: i.ChargeDetails?.Type ?? '',
          ...(i.ChargeDetails?.Flat?.ChargeValue !== undefined
            ? { flat_amount: exact(amount(i.ChargeDetails.Flat.ChargeValue)) }
            : {}),
          ...(i.ChargeDetails?.Percentage?.PercentageValue !== undefined
            ? { percentage: exact(amount(i.ChargeDetails.Percentage.PercentageValue)) }
            : {}),
          ...(i.CurrencyCode ? { currency: i.CurrencyCode } : {}),
          ...(i.BillingGroupArn ? { billing_group_arn: i.BillingGroupArn } : {}),
          ...(i.AccountId ? { account_id: i.AccountId } : {}),
          ...(i.ProductCode ? { product_code: i.ProductCode } : {}),
          ...(i.Description ? { description: i.Description } : {}),
          ...(i.AssociationSize !== undefined ? { association_size: i.AssociationSize } : {}),
        })),
        more_pages: read.more,
        notes,
      },
    };
  },
});
