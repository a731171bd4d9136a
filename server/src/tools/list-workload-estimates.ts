import { z } from 'zod';
import { ToolInputError } from '../billing/errors';
import { table, accountLabel } from '../billing/format';
import { amount, compareDesc, exact, sum } from '../billing/money';
import { looseRows, targetAccountId } from './lib/params';
import { isAwsFailure, isoTime, matches, maxResults } from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 25;

function estimateOut(e: {
  id?: string;
  name?: string;
  status?: string;
  totalCost?: number;
  costCurrency?: string;
  rateType?: string;
  createdAt?: number;
  expiresAt?: number;
  failureMessage?: string;
}) {
  return {
    id: e.id ?? '',
    name: e.name ?? '',
    status: e.status ?? '',
    ...(e.totalCost !== undefined ? { total_cost: exact(amount(e.totalCost)) } : {}),
    ...(e.costCurrency ? { currency: e.costCurrency } : {}),
    ...(e.rateType ? { rate_type: e.rateType } : {}),
    ...(isoTime(e.createdAt) ? { created_at: isoTime(e.createdAt) } : {}),
    ...(isoTime(e.expiresAt) ? { expires_at: isoTime(e.expiresAt) } : {}),
    ...(e.failureMessage ? { failure_message: e.failureMessage } : {}),
  };
}

/** list-workload-estimates: Pricing Calculator workload estimates, or one estimate's usage lines. */
export const listWorkloadEstimatesTool = defineTool({
  name: 'list-workload-estimates',
  title: 'List workload estimates',
  description:
    'Pricing Calculator workload estimates (name, status, monthly cost); with estimate_id, its usage lines ' +
    'by cost, with the exact sum.',
  inputSchema: {
    target_account_id: targetAccountId,
    estimate_id: z.string().min(1).max(128).optional().describe('One estimate, to list its usage lines.'),
    search: z.string().max(100).optional().describe('Only estimates whose name contains this.'),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'estimates or usage lines'),
  },
  outputSchema: {
    estimates: looseRows().optional(),
  },
  operations: [
    'bcm-pricing-calculator:ListWorkloadEstimates',
    'bcm-pricing-calculator:GetWorkloadEstimate',
    'bcm-pricing-calculator:ListWorkloadEstimateUsage',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const account = await ctx.account(args.target_account_id);
    const paging = { inputToken: 'nextToken', outputToken: 'nextToken' };
    const notes: string[] = [];

    if (!args.estimate_id) {
      const {
        pages,
        more,
        note: readNote,
      } = await ctx.paginate(
        'bcm-pricing-calculator:ListWorkloadEstimates',
        // No maxResults: the service's default page size is within its limit.
        {},
        account,
        paging,
      );
      const note = readNote;
      if (note) notes.push(note);
      const all = pages
        .flatMap((p) => p.items ?? [])
        .filter((e) => matches(e.name, args.search))
        .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
      const shown = all.slice(0, limit);
      const lines: string[] = [];
      if (all.length === 0) {
        lines.push(
          `No Pricing Calculator workload estimates${args.search ? ` named like "${args.search}"` : ''} in account ` +
            `${account.accountId}.`,
        );
      } else {
        lines.push(
          `**${all.length} workload estimate(s) in account ${accountLabel(account)}** (newest first):`,
          '',
          table(
            ['Name', 'Id', 'Status', 'Monthly cost', 'Rate type', 'Created'],
            shown.map((e) => [
              e.name ?? '',
              e.id,
              e.status ?? '',
              e.totalCost !== undefined
                ? `${exact(amount(e.totalCost))} ${e.costCurrency ?? ''}`.trim()
                : '-',
              e.rateType ?? '',
              isoTime(e.createdAt)?.slice(0, 10) ?? '',
            ]),
          ),
        );
        if (shown.length < all.length) lines.push(`…and ${all.length - shown.length} more.`);
        lines.push('', 'Pass estimate_id to see one estimate’s usage lines.');
      }
      return {
        text: lines.join('\n'),
        data: {
          account_id: account.accountId,
          estimates: shown.map(estimateOut),
          matched: all.length,
          more_pages: more,
          notes,
        },
      };
    }

    let estimate;
    try {
      estimate = await ctx.call(
        'bcm-pricing-calculator:GetWorkloadEstimate',
        { identifier: args.estimate_id },
        account,
      );
    } catch (err) {
      if (isAwsFailure(err, 'not-found')) {
        throw new ToolInputError(
          `No workload estimate "${args.estimate_id}" in account ${accountLabel(account)}; list the estimates with ` +
            'list-workload-estimates (no estimate_id).',
        );
      }
      throw err;
    }
    const {
      pages,
      more,
      note: readNote,
    } = await ctx.paginate(
      'bcm-pricing-calculator:ListWorkloadEstimateUsage',
      { workloadEstimateId: args.estimate_id },
      account,
      paging,
    );
    const note = readNote;
    if (note) notes.push(note);
    const usage = pages.flatMap((p) => p.items ?? []);
    const currency = estimate.costCurrency ?? usage.find((u) => u.currency)?.currency ?? 'USD';
    const sorted = [...usage].sort(
      (a, b) =>
        compareDesc(amount(a.cost), amount(b.cost)) ||
        (a.serviceCode ?? '').localeCompare(b.serviceCode ?? ''),
    );
    const shown = sorted.slice(0, limit);
    const rest = sorted.slice(limit);
    const total = sum(usage.map((u) => u.cost));
    const restTotal = sum(rest.map((u) => u.cost));
    if (estimate.totalCost !== undefined && !amount(estimate.totalCost).equals(total) && !more) {
      notes.push(
        `The usage lines sum to ${exact(total)} ${currency}; the estimate's total is ` +
          `${exact(amount(estimate.totalCost))} ${currency} (the total may include commitments or be stale).`,
      );
    }
    const lines = [
      `**Workload estimate "${estimate.name ?? args.estimate_id}" (${estimate.status ?? 'unknown status'}): ` +
        `${estimate.totalCost !== undefined ? exact(amount(estimate.totalCost)) : exact(total)} ${currency} ` +
        `per month**, ${usage.length} usage line(s)${estimate.rateType ? `, rates ${estimate.rateType}` : ''}.`,
    ];
    if (usage.length) {
      lines.push(
        '',
        table(
          ['Service', 'Usage type', 'Operation', 'Location', 'Quantity', `Cost (${currency})`],
          shown.map((u) => [
            u.serviceCode ?? '',
            u.usageType ?? '',
            u.operation ?? '',
            u.location ?? '',
            u.quantity?.amount !== undefined
              ? `${exact(amount(u.quantity.amount))} ${u.quantity.unit ?? ''}`.trim()
              : '-',
            exact(amount(u.cost)),
          ]),
        ),
      );
      if (rest.length) lines.push(`…and ${rest.length} more lines costing ${exact(restTotal)} ${currency}.`);
      lines.push(`Usage lines total: ${exact(total)} ${currency}.`);
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        estimate: estimateOut(estimate),
        usage_lines: shown.map((u) => ({
          service_code: u.serviceCode ?? '',
          usage_type: u.usageType ?? '',
          operation: u.operation ?? '',
          ...(u.location ? { location: u.location } : {}),
          ...(u.usageAccountId ? { usage_account_id: u.usageAccountId } : {}),
          ...(u.quantity?.amount !== undefined ? { quantity: exact(amount(u.quantity.amount)) } : {}),
          ...(u.quantity?.unit ? { unit: u.quantity.unit } : {}),
          cost: exact(amount(u.cost)),
          ...(u.currency ? { currency: u.currency } : {}),
          ...(u.status ? { status: u.status } : {}),
        })),
        usage_total: exact(total),
        matched: usage.length,
        more_pages: more,
        notes,
      },
    };
  },
});
