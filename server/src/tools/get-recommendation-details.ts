import { z } from 'zod';
import { ToolInputError } from '../billing/errors';
import { table, accountLabel } from '../billing/format';
import { amount, exact } from '../billing/money';
import { targetAccountId } from './lib/params';
import { explainCohFailure } from './lib/cost-optimization-hub';
import { cohEstimateData, isAwsFailure, isoTime } from './lib/optimization';
import { defineTool } from './lib/types';

const MAX_SETTINGS = 30;

/**
 * Flattens the `configuration` of a Cost Optimization Hub resource-details union (`{ ec2Instance: { configuration:
 * { instance: { type: 'm5.large' } } } }`) into `instance.type = m5.large` pairs, bounded.
 */
export function flattenConfiguration(details: unknown): {
  kind: string;
  settings: { name: string; value: string }[];
} {
  if (!details || typeof details !== 'object') return { kind: '', settings: [] };
  const [kind, member] =
    Object.entries(details as Record<string, unknown>).find(([k]) => k !== '$unknown') ?? [];
  if (!kind) return { kind: '', settings: [] };
  const settings: { name: string; value: string }[] = [];
  const walk = (value: unknown, path: string) => {
    if (settings.length >= MAX_SETTINGS || value === undefined || value === null) return;
    if (Array.isArray(value)) {
      settings.push({ name: path, value: value.map(String).join(', ') });
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        walk(v, path ? `${path}.${k}` : k);
    } else {
      settings.push({ name: path, value: String(value) });
    }
  };
  walk((member as { configuration?: unknown } | undefined)?.configuration, '');
  return { kind, settings };
}

/** get-recommendation-details: one Cost Optimization Hub recommendation, current against recommended. */
export const getRecommendationDetailsTool = defineTool({
  name: 'get-recommendation-details',
  title: 'Get recommendation details',
  description:
    'One Cost Optimization Hub recommendation (id from list-cost-optimization-recommendations) in full: ' +
    'configurations, savings, cost, effort, restart, rollback.',
  inputSchema: {
    recommendation_id: z
      .string()
      .min(1)
      .max(2048)
      .describe('Id from list-cost-optimization-recommendations.'),
    target_account_id: targetAccountId,
  },
  outputSchema: {
    estimated_monthly_savings: z.string(),
  },
  operations: ['cost-optimization-hub:GetRecommendation', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const account = await ctx.account(args.target_account_id);
    let r;
    try {
      r = await ctx.call(
        'cost-optimization-hub:GetRecommendation',
        { recommendationId: args.recommendation_id },
        account,
      );
    } catch (err) {
      if (isAwsFailure(err, 'not-found')) {
        throw new ToolInputError(
          `No Cost Optimization Hub recommendation "${args.recommendation_id}" in account ${accountLabel(account)}. ` +
            'Ids change when recommendations refresh (daily): list current ones with ' +
            'list-cost-optimization-recommendations.',
        );
      }
      throw explainCohFailure(err, account.accountId);
    }
    const currency = r.currencyCode ?? 'USD';
    const savings = exact(amount(r.estimatedMonthlySavings));
    const current = flattenConfiguration(r.currentResourceDetails);
    const recommended = flattenConfiguration(r.recommendedResourceDetails);

    const names = [...new Set([...current.settings, ...recommended.settings].map((s) => s.name))];
    const valueIn = (list: { name: string; value: string }[], name: string) =>
      list.find((s) => s.name === name)?.value ?? '-';
    const lines = [
      `**${r.actionType ?? 'Recommendation'} ${r.currentResourceType ?? ''} ${r.resourceId ?? ''}` +
        `${r.region ? ` (${r.region})` : ''}: estimated savings ${savings} ${currency} per month**` +
        (r.estimatedMonthlyCost !== undefined
          ? ` of ${exact(amount(r.estimatedMonthlyCost))} ${currency} estimated monthly cost`
          : '') +
        (r.estimatedSavingsPercentage !== undefined
          ? ` (${exact(amount(r.estimatedSavingsPercentage))} %).`
          : '.'),
      `Effort ${r.implementationEffort ?? 'unknown'}; restart needed: ${r.restartNeeded ?? 'unknown'}; ` +
        `rollback possible: ${r.rollbackPossible ?? 'unknown'}; source ${r.source ?? 'unknown'}.`,
    ];
    if (names.length) {
      lines.push(
        '',
        table(
          ['Setting', 'Current', 'Recommended'],
          names.map((n) => [n, valueIn(current.settings, n), valueIn(recommended.settings, n)]),
        ),
      );
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        recommendation_id: r.recommendationId ?? args.recommendation_id,
        ...(r.accountId ? { resource_account_id: r.accountId } : {}),
        ...(r.resourceId ? { resource_id: r.resourceId } : {}),
        ...(r.resourceArn ? { resource_arn: r.resourceArn } : {}),
        ...(r.region ? { region: r.region } : {}),
        ...(r.actionType ? { action_type: r.actionType } : {}),
        ...(r.currentResourceType ? { current_resource_type: r.currentResourceType } : {}),
        ...(r.recommendedResourceType ? { recommended_resource_type: r.recommendedResourceType } : {}),
        currency,
        estimated_monthly_savings: savings,
        ...cohEstimateData(r),
        ...(r.recommendationLookbackPeriodInDays !== undefined
          ? { lookback_days: r.recommendationLookbackPeriodInDays }
          : {}),
        ...(isoTime(r.lastRefreshTimestamp) ? { last_refreshed: isoTime(r.lastRefreshTimestamp) } : {}),
        current_configuration: current.settings,
        recommended_configuration: recommended.settings,
      },
    };
  },
});
