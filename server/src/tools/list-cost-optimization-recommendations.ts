import type * as COH from '@aws-sdk/client-cost-optimization-hub';
import { z } from 'zod';
import { rankedTable, table, accountLabel } from '../billing/format';
import { amount, compareDesc, exact, sum } from '../billing/money';
import { targetAccountId } from './lib/params';
import { AWS_REGION_PATTERN, cohEstimateData, maxResults } from './lib/optimization';
import { defineTool } from './lib/types';
import {
  COH_ACTION_TYPES,
  COH_EFFORTS,
  COH_GROUP_BY,
  COH_RESOURCE_TYPES,
  explainCohFailure,
} from './lib/cost-optimization-hub';
import { AWS_LIMITS, boundedArray, boundedString } from './lib/bounds';

const DEFAULT_LIMIT = 25;

/** list-cost-optimization-recommendations: Cost Optimization Hub recommendations, or savings per group. */
export const listCostOptimizationRecommendationsTool = defineTool({
  name: 'list-cost-optimization-recommendations',
  title: 'List optimization recommendations',
  description:
    'Cost Optimization Hub recommendations (rightsize, stop, Graviton, commitments, delete idle…) by ' +
    'monthly savings, or totals per group. In full: get-recommendation-details.',
  inputSchema: {
    target_account_id: targetAccountId,
    action_types: boundedArray(z.enum(COH_ACTION_TYPES), 'action_types', AWS_LIMITS.cohFilterItems)
      .optional()
      .describe('Only these actions.'),
    resource_types: boundedArray(z.enum(COH_RESOURCE_TYPES), 'resource_types', AWS_LIMITS.cohFilterItems)
      .optional()
      .describe('Only these resource types.'),
    regions: boundedArray(
      boundedString('regions', AWS_LIMITS.region).regex(
        AWS_REGION_PATTERN,
        'regions must be AWS region names such as us-east-1',
      ),
      'regions',
      AWS_LIMITS.cohFilterItems,
    )
      .optional()
      .describe('Only these regions.'),
    account_ids: boundedArray(
      z.string().regex(/^\d{12}$/, 'account_ids must be 12-digit AWS account ids'),
      'account_ids',
      AWS_LIMITS.cohFilterItems,
    )
      .optional()
      .describe('Only these member accounts.'),
    implementation_efforts: boundedArray(
      z.enum(COH_EFFORTS),
      'implementation_efforts',
      AWS_LIMITS.cohFilterItems,
    )
      .optional()
      .describe('Only these efforts, e.g. ["VeryLow","Low"].'),
    restart_needed: z
      .boolean()
      .optional()
      .describe('Only changes that need (true) or not (false) a restart.'),
    rollback_possible: z.boolean().optional().describe('true: only changes that can be rolled back.'),
    group_by: z.enum(COH_GROUP_BY).optional().describe('Savings totals per group instead.'),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'recommendations or groups'),
  },
  outputSchema: {
    total_estimated_monthly_savings: z.string(),
  },
  operations: [
    'cost-optimization-hub:ListRecommendations',
    'cost-optimization-hub:ListRecommendationSummaries',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const account = await ctx.account(args.target_account_id);
    const filter: COH.Filter = {
      ...(args.action_types?.length ? { actionTypes: args.action_types } : {}),
      ...(args.resource_types?.length ? { resourceTypes: args.resource_types } : {}),
      ...(args.regions?.length ? { regions: args.regions } : {}),
      ...(args.account_ids?.length ? { accountIds: args.account_ids } : {}),
      ...(args.implementation_efforts?.length ? { implementationEfforts: args.implementation_efforts } : {}),
      ...(args.restart_needed !== undefined ? { restartNeeded: args.restart_needed } : {}),
      ...(args.rollback_possible !== undefined ? { rollbackPossible: args.rollback_possible } : {}),
    };
    const hasFilter = Object.keys(filter).length > 0;
    const notes: string[] = [];
    const paging = { inputToken: 'nextToken', outputToken: 'nextToken' };

    try {
      if (args.group_by) {
        const {
          pages,
          more,
          note: readNote,
        } = await ctx.paginate(
          'cost-optimization-hub:ListRecommendationSummaries',
          { groupBy: args.group_by, ...(hasFilter ? { filter } : {}), maxResults: 1000 },
          account,
          paging,
        );
        const pageNote = readNote;
        if (pageNote) notes.push(pageNote);
        const items = pages.flatMap((p) => p.items ?? []);
        const currency = pages.find((p) => p.currencyCode)?.currencyCode ?? 'USD';
        const deduped = pages.find(
          (p) => p.estimatedTotalDedupedSavings !== undefined,
        )?.estimatedTotalDedupedSavings;
        const counts = new Map(items.map((i) => [i.group ?? '(none)', i.recommendationCount ?? 0]));
        const ranked = rankedTable(
          [args.group_by, `Estimated savings/month (${currency})`, 'Recommendations'],
          items.map((i) => ({
            label: i.group ?? '(none)',
            amount: amount(i.estimatedMonthlySavings),
            cells: [String(i.recommendationCount ?? 0)],
          })),
          limit,
        );
        const lines = [
          `**Estimated savings ${exact(ranked.total)} ${currency} per month across ${items.length} ` +
            `${args.group_by} group(s) for account ${accountLabel(account)}**` +
            (deduped !== undefined
              ? ` (${exact(amount(deduped))} ${currency} with overlaps counted once).`
              : '.'),
          '',
          ranked.text,
        ];
        return {
          text: lines.join('\n'),
          data: {
            account_id: account.accountId,
            group_by: args.group_by,
            currency,
            matched: items.length,
            total_estimated_monthly_savings: exact(ranked.total),
            ...(deduped !== undefined ? { deduplicated_monthly_savings: exact(amount(deduped)) } : {}),
            groups: ranked.shown.map((r) => ({
              group: r.label,
              estimated_monthly_savings: exact(r.amount),
              recommendation_count: counts.get(r.label) ?? 0,
            })),
            ...(ranked.others
              ? {
                  others: {
                    count: ranked.others.count,
                    estimated_monthly_savings: exact(ranked.others.amount),
                  },
                }
              : {}),
            more_pages: more,
            notes,
          },
        };
      }

      const {
        pages,
        more,
        note: readNote,
      } = await ctx.paginate(
        'cost-optimization-hub:ListRecommendations',
        {
          ...(hasFilter ? { filter } : {}),
          // Largest savings first, so a page bound drops the least valuable recommendations.
          orderBy: { dimension: 'EstimatedMonthlySavings', order: 'Desc' },
          maxResults: 1000,
        },
        account,
        paging,
      );
      const pageNote = readNote;
      if (pageNote) notes.push(pageNote);
      const items = pages
        .flatMap((p) => p.items ?? [])
        .sort(
          (a, b) =>
            compareDesc(amount(a.estimatedMonthlySavings), amount(b.estimatedMonthlySavings)) ||
            (a.recommendationId ?? '').localeCompare(b.recommendationId ?? ''),
        );
      const currency = items.find((i) => i.currencyCode)?.currencyCode ?? 'USD';
      const total = sum(items.map((i) => i.estimatedMonthlySavings));
      const shown = items.slice(0, limit);
      const rest = items.slice(limit);
      const restTotal = sum(rest.map((i) => i.estimatedMonthlySavings));
      const lines: string[] = [];
      if (items.length === 0) {
        lines.push(
          `No Cost Optimization Hub recommendations${hasFilter ? ' match these filters' : ''} for account ` +
            `${account.accountId}.`,
        );
      } else {
        lines.push(
          `**${items.length} recommendation(s) for account ${accountLabel(account)}: estimated savings ` +
            `${exact(total)} ${currency} per month** (recommendations for one resource can overlap; ` +
            'group_by gives the total with overlaps counted once).',
          '',
          table(
            [
              'Recommendation',
              'Action',
              'Resource',
              'Current → recommended',
              `Savings/month (${currency})`,
              'Effort',
            ],
            shown.map((i) => [
              i.recommendationId ?? '',
              i.actionType ?? '',
              `${i.currentResourceType ?? ''} ${i.resourceId ?? ''} (${i.region ?? ''})`,
              `${i.currentResourceSummary ?? '-'} → ${i.recommendedResourceSummary ?? '-'}`,
              exact(amount(i.estimatedMonthlySavings)),
              i.implementationEffort ?? '',
            ]),
          ),
        );
        if (rest.length)
          lines.push(`…and ${rest.length} more, saving ${exact(restTotal)} ${currency} per month.`);
      }
      return {
        text: lines.join('\n'),
        data: {
          account_id: account.accountId,
          currency,
          matched: items.length,
          total_estimated_monthly_savings: exact(total),
          recommendations: shown.map((i) => ({
            recommendation_id: i.recommendationId ?? '',
            account_id: i.accountId ?? '',
            region: i.region ?? '',
            resource_id: i.resourceId ?? '',
            resource_type: i.currentResourceType ?? '',
            action_type: i.actionType ?? '',
            current: i.currentResourceSummary ?? '',
            recommended: i.recommendedResourceSummary ?? '',
            estimated_monthly_savings: exact(amount(i.estimatedMonthlySavings)),
            ...cohEstimateData(i),
          })),
          ...(rest.length
            ? { others: { count: rest.length, estimated_monthly_savings: exact(restTotal) } }
            : {}),
          more_pages: more,
          notes,
        },
      };
    } catch (err) {
      throw explainCohFailure(err, account.accountId);
    }
  },
});
