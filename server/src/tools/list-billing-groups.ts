import { z } from 'zod';
import { table, accountLabel } from '../billing/format';
import { looseRows, targetAccountId } from './lib/params';
import {
  billingPeriod,
  byName,
  isoTime,
  maxResults,
  NEXT_TOKEN,
  resolveBillingPeriod,
} from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 25;
const ACCOUNTS_PER_GROUP = 50;

/** list-billing-groups: Billing Conductor billing groups and their accounts. */
export const listBillingGroupsTool = defineTool({
  name: 'list-billing-groups',
  title: 'List billing groups',
  description:
    'Billing Conductor billing groups of a month (default: this one): status, primary account, pricing ' +
    'plan, member accounts. Ask the payer account.',
  inputSchema: {
    target_account_id: targetAccountId,
    billing_period: billingPeriod,
    include_accounts: z.boolean().optional().describe("List each group's accounts (default true)."),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'billing groups'),
  },
  outputSchema: {
    billing_groups: looseRows(),
  },
  operations: [
    'billingconductor:ListBillingGroups',
    'billingconductor:ListAccountAssociations',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const period = resolveBillingPeriod(args.billing_period, ctx.now);
    const account = await ctx.account(args.target_account_id);
    const notes: string[] = [];

    const groupsRead = await ctx.paginate(
      'billingconductor:ListBillingGroups',
      { BillingPeriod: period },
      account,
      NEXT_TOKEN,
    );
    if (groupsRead.note) notes.push(groupsRead.note);
    const groups = groupsRead.pages.flatMap((p) => p.BillingGroups ?? []).sort(byName);
    const shown = groups.slice(0, limit);

    const byGroup = new Map<string, { account_id: string; name?: string; email?: string }[]>();
    let more = groupsRead.more;
    if (args.include_accounts !== false && groups.length > 0) {
      // One listing of every monitored account (each carries its group's ARN) instead of one call per group.
      const accountsRead = await ctx.paginate(
        'billingconductor:ListAccountAssociations',
        { BillingPeriod: period, Filters: { Association: 'MONITORED' } },
        account,
        NEXT_TOKEN,
      );
      more ||= accountsRead.more;
      if (accountsRead.note) notes.push(accountsRead.note);
      for (const a of accountsRead.pages.flatMap((p) => p.LinkedAccounts ?? [])) {
        if (!a.BillingGroupArn || !a.AccountId) continue;
        const list = byGroup.get(a.BillingGroupArn) ?? [];
        list.push({
          account_id: a.AccountId,
          ...(a.AccountName ? { name: a.AccountName } : {}),
          ...(a.AccountEmail ? { email: a.AccountEmail } : {}),
        });
        byGroup.set(a.BillingGroupArn, list);
      }
    }

    const lines: string[] = [];
    if (groups.length === 0) {
      lines.push(
        `No Billing Conductor billing groups in ${period} for account ${accountLabel(account)} (Billing Conductor is ` +
          'configured in the management account of an organization).',
      );
    } else {
      lines.push(
        `**${groups.length} billing group(s) in ${period} for account ${accountLabel(account)}.**`,
        '',
        table(
          ['Name', 'Status', 'Primary account', 'Accounts', 'Pricing plan'],
          shown.map((g) => {
            const accounts = byGroup.get(g.Arn ?? '') ?? [];
            return [
              g.Name ?? '',
              g.Status ?? '',
              g.PrimaryAccountId ?? '',
              args.include_accounts === false
                ? String(g.Size ?? '')
                : accounts
                    .map((a) => a.account_id)
                    .slice(0, 10)
                    .join(', ') + (accounts.length > 10 ? ', …' : ''),
              (g.ComputationPreference?.PricingPlanArn ?? '').split('/').pop() ?? '',
            ];
          }),
        ),
      );
      if (shown.length < groups.length) lines.push(`…and ${groups.length - shown.length} more groups.`);
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        billing_period: period,
        matched: groups.length,
        billing_groups: shown.map((g) => {
          const accounts = byGroup.get(g.Arn ?? '');
          return {
            name: g.Name ?? '',
            arn: g.Arn ?? '',
            ...(g.Status ? { status: g.Status } : {}),
            ...(g.StatusReason ? { status_reason: g.StatusReason } : {}),
            ...(g.Description ? { description: g.Description } : {}),
            ...(g.PrimaryAccountId ? { primary_account_id: g.PrimaryAccountId } : {}),
            ...(g.ComputationPreference?.PricingPlanArn
              ? { pricing_plan_arn: g.ComputationPreference.PricingPlanArn }
              : {}),
            ...(g.Size !== undefined ? { size: g.Size } : {}),
            ...(g.AccountGrouping?.AutoAssociate !== undefined
              ? { auto_associate: g.AccountGrouping.AutoAssociate }
              : {}),
            ...(isoTime(g.CreationTime) ? { created_at: isoTime(g.CreationTime) } : {}),
            ...(args.include_accounts === false
              ? {}
              : {
                  accounts: (accounts ?? [])
                    .sort((a, b) => a.account_id.localeCompare(b.account_id))
                    .slice(0, ACCOUNTS_PER_GROUP),
                }),
          };
        }),
        more_pages: more,
        notes,
      },
    };
  },
});
