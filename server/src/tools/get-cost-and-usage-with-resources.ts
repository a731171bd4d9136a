import { z } from 'zod';
import { AwsCallError } from '../aws/errors';
import { addDays, resolveRange, toIsoDate, utcDay } from '../billing/dates';
import { buildFilter, type FilterClause } from '../billing/filters';
import { rankedTable, accountLabel } from '../billing/format';
import { amount, exact } from '../billing/money';
import {
  endDate,
  filters,
  includeCreditsRefunds,
  metrics,
  moneyShape,
  period,
  refresh,
  startDate,
  targetAccountId,
} from './lib/params';
import { summarise } from './lib/cost-table';
import { defineTool } from './lib/types';

/** The service AWS documents resource-level data for, and the SERVICE filter the API requires. */
export const EC2_COMPUTE = 'Amazon Elastic Compute Cloud - Compute';

/** Resource-level data covers the last 14 days. */
const MAX_DAYS_BACK = 14;

export const getCostAndUsageWithResourcesTool = defineTool({
  name: 'get-cost-and-usage-with-resources',
  title: 'Get cost by resource',
  description:
    'Cost per resource (e.g. EC2 instance id) of one service, last 14 days at most. Needs resource-level ' +
    'data enabled in Cost Explorer; longer periods: get-top-resources.',
  inputSchema: {
    target_account_id: targetAccountId,
    service: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(`The SERVICE (required by AWS); default "${EC2_COMPUTE}".`),
    period,
    start_date: startDate,
    end_date: endDate,
    granularity: z
      .enum(['DAILY', 'HOURLY', 'MONTHLY'])
      .optional()
      .describe('Default DAILY; HOURLY for EC2 instances only.'),
    metrics,
    filters,
    include_credits_refunds: includeCreditsRefunds,
    refresh,
  },
  outputSchema: {
    total: moneyShape,
  },
  operations: ['ce:GetCostAndUsageWithResources', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const granularity = args.granularity ?? 'DAILY';
    const range = resolveRange(args, ctx.now, {
      defaultPeriod: 'last_7_days',
      // 13 days back plus today: 14 days, inside the API's window whatever the hour.
      defaultRange: (now) => ({
        start: toIsoDate(addDays(utcDay(now), -(MAX_DAYS_BACK - 1))),
        end: toIsoDate(addDays(utcDay(now), 1)),
      }),
      maxDaysBack: MAX_DAYS_BACK,
      daysBackReason: 'resource-level data covers the last 14 days; use get-cost-and-usage for older spend',
    });
    const metricNames = [...new Set(args.metrics ?? ['UnblendedCost'])];
    const account = await ctx.account(args.target_account_id);

    // The API requires a SERVICE filter: the service parameter, else the caller's own SERVICE clause, else EC2.
    const userClauses = args.filters ?? [];
    const userService = userClauses.find((c) => c.type === 'DIMENSION' && c.key === 'SERVICE' && !c.exclude);
    const useOwnClause = args.service === undefined && userService !== undefined;
    const service = useOwnClause ? userService.values.join(', ') : (args.service ?? EC2_COMPUTE);
    const clauses: FilterClause[] = useOwnClause
      ? userClauses
      : [{ type: 'DIMENSION', key: 'SERVICE', values: [service] }, ...userClauses];
    const { filter, notes, creditsRefunds } = buildFilter(clauses, {
      queriedAccountId: account.accountId,
      excludeCreditsRefunds: !args.include_credits_refunds,
    });

    let result;
    try {
      result = await ctx.paginate(
        'ce:GetCostAndUsageWithResources',
        {
          TimePeriod: { Start: range.start, End: range.end },
          Granularity: granularity,
          Metrics: metricNames,
          GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }],
          // Never undefined: the SERVICE clause is always there, and the LINKED_ACCOUNT clean-up never drops it.
          Filter: filter ?? {},
        },
        account,
        { inputToken: 'NextPageToken', outputToken: 'NextPageToken' },
      );
    } catch (err) {
      if (
        err instanceof AwsCallError &&
        (err.kind === 'data-unavailable' || err.kind === 'invalid-request')
      ) {
        throw new AwsCallError(
          err.kind,
          err.operation,
          err.accountId,
          `${err.message} Resource-level data must be enabled first: in the management account, Cost Explorer → ` +
            `Settings → "Hourly and resource level data" (it then covers the last 14 days, from enablement on).`,
          err.awsErrorName,
        );
      }
      throw err;
    }
    const { pages, more, note } = result;
    if (note) notes.push(note);

    const summary = summarise(pages, metricNames, true);
    const primary = metricNames[0];
    const unit = summary.units.get(primary) ?? 'USD';
    const total = summary.totals.get(primary) ?? amount(0);
    const ranked = rankedTable(
      ['Resource', `${primary} (${unit})`],
      [...summary.groups.entries()].map(([key, byMetric]) => ({
        label: key,
        amount: byMetric.get(primary) ?? amount(0),
      })),
      undefined,
      '**Sum of the resources**',
    );
    const lines = [
      `**${primary} of ${service} by resource for account ${accountLabel(account)}, ${range.start} to ${range.end} ` +
        `(end exclusive): ${exact(total)} ${unit}** over ${summary.groups.size} resource` +
        `${summary.groups.size === 1 ? '' : 's'} (the sum of their figures, not Cost Explorer's total for the ` +
        `service: get-cost-and-usage gives that)${summary.estimated ? ' (includes estimated data)' : ''}.`,
      `Granularity ${granularity}; credits and refunds ${creditsRefunds}` +
        `${creditsRefunds === 'excluded' ? ' (set include_credits_refunds to count them)' : ''}.`,
    ];
    for (const m of metricNames.slice(1)) {
      lines.push(`${m}: ${exact(summary.totals.get(m) ?? amount(0))} ${summary.units.get(m) ?? ''}`.trim());
    }
    if (summary.groups.size > 0) lines.push('', ranked.text);
    else
      lines.push(
        '',
        'No resource had cost in this range (is resource-level data enabled for this service?).',
      );

    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        service,
        range,
        granularity,
        metrics: metricNames,
        credits_refunds: creditsRefunds,
        total: { amount: exact(total), unit },
        resources: ranked.shown.map((r) => ({ resource_id: r.label, amount: exact(r.amount), unit })),
        ...(ranked.others
          ? { other_resources: { count: ranked.others.count, amount: exact(ranked.others.amount) } }
          : {}),
        resource_count: summary.groups.size,
        estimated: summary.estimated,
        more_pages: more,
        notes,
      },
    };
  },
});
