import { z } from 'zod';
import type { FreeTierUsage } from '../aws/json-services/free-tier-types';
import { table, accountLabel } from '../billing/format';
import { amount, exact, percentOf, type Amount } from '../billing/money';
import { looseRows, targetAccountId } from './lib/params';
import { matches, maxResults } from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 25;

/** How a Free Tier offer stands against its limit, worst first. */
export const FREE_TIER_STATUSES = ['exceeded', 'forecast to exceed', 'ok'] as const;
type Status = (typeof FREE_TIER_STATUSES)[number];

interface Row {
  item: FreeTierUsage;
  actual: Amount;
  forecast: Amount;
  limit: Amount;
  percentUsed: string | undefined;
  forecastPercent: string | undefined;
  status: Status;
}

/** exceeded: actual above the limit; forecast to exceed: the month-end forecast is above it; ok otherwise. */
export function freeTierStatus(actual: Amount, forecast: Amount, limit: Amount): Status {
  if (actual.greaterThan(limit)) return 'exceeded';
  if (forecast.greaterThan(limit)) return 'forecast to exceed';
  return 'ok';
}

const STATUS_ORDER: Record<Status, number> = { exceeded: 0, 'forecast to exceed': 1, ok: 2 };

/** get-free-tier-usage: Free Tier actual and forecast usage against each limit. */
export const getFreeTierUsageTool = defineTool({
  name: 'get-free-tier-usage',
  title: 'Get AWS Free Tier usage',
  description:
    'AWS Free Tier usage this month per offer: actual and forecast against the free limit, % used and ' +
    'status, most at risk first.',
  inputSchema: {
    target_account_id: targetAccountId,
    service: z.string().max(100).optional().describe('Only services whose name contains this (any case).'),
    only_at_risk: z.boolean().optional().describe('true: only offers exceeded or forecast to exceed.'),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'Free Tier offers'),
  },
  outputSchema: {
    usages: looseRows({ status: z.string() }),
  },
  operations: ['freetier:GetFreeTierUsage', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const account = await ctx.account(args.target_account_id);
    const {
      pages,
      more,
      note: readNote,
    } = await ctx.paginate('freetier:GetFreeTierUsage', { maxResults: 1000 }, account, {
      inputToken: 'nextToken',
      outputToken: 'nextToken',
    });
    const notes: string[] = [];
    const note = readNote;
    if (note) notes.push(note);

    const rows: Row[] = pages
      .flatMap((p) => p.freeTierUsages ?? [])
      .filter((u) => matches(u.service, args.service))
      .map((item) => {
        const actual = amount(item.actualUsageAmount);
        const forecast = amount(item.forecastedUsageAmount);
        const lim = amount(item.limit);
        return {
          item,
          actual,
          forecast,
          limit: lim,
          percentUsed: percentOf(actual, lim),
          forecastPercent: percentOf(forecast, lim),
          status: freeTierStatus(actual, forecast, lim),
        };
      });
    const counts = { exceeded: 0, forecast_to_exceed: 0, ok: 0 };
    for (const r of rows) {
      if (r.status === 'exceeded') counts.exceeded++;
      else if (r.status === 'forecast to exceed') counts.forecast_to_exceed++;
      else counts.ok++;
    }
    const ratio = (r: Row) => (r.limit.isZero() ? amount(0) : r.forecast.div(r.limit));
    const matched = rows
      .filter((r) => !args.only_at_risk || r.status !== 'ok')
      .sort(
        (a, b) =>
          STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
          ratio(b).comparedTo(ratio(a)) ||
          (a.item.service ?? '').localeCompare(b.item.service ?? ''),
      );
    const shown = matched.slice(0, limit);

    const lines: string[] = [];
    const scope = args.service ? ` for services matching "${args.service}"` : '';
    if (matched.length === 0) {
      lines.push(
        args.only_at_risk
          ? `No Free Tier offer is exceeded or forecast to exceed its limit in account ${accountLabel(account)}${scope}.`
          : `No Free Tier usage in account ${accountLabel(account)}${scope} (the account may be past its Free Tier ` +
              'period or on a paid plan).',
      );
    } else {
      lines.push(
        `**Free Tier in account ${accountLabel(account)}${scope}: ${counts.exceeded} exceeded, ` +
          `${counts.forecast_to_exceed} forecast to exceed, ${counts.ok} ok.**`,
        '',
        table(
          ['Service', 'Offer', 'Actual', 'Forecast', 'Limit', '% used', 'Status'],
          shown.map((r) => [
            r.item.service ?? '',
            r.item.description ?? r.item.usageType ?? '',
            exact(r.actual),
            exact(r.forecast),
            `${exact(r.limit)} ${r.item.unit ?? ''}`.trim(),
            r.percentUsed !== undefined ? `${r.percentUsed} %` : '-',
            r.status,
          ]),
        ),
      );
      if (shown.length < matched.length) lines.push(`…and ${matched.length - shown.length} more offers.`);
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        matched: matched.length,
        counts,
        usages: shown.map((r) => ({
          service: r.item.service ?? '',
          description: r.item.description ?? '',
          usage_type: r.item.usageType ?? '',
          region: r.item.region ?? '',
          free_tier_type: r.item.freeTierType ?? '',
          unit: r.item.unit ?? '',
          actual: exact(r.actual),
          forecast: exact(r.forecast),
          limit: exact(r.limit),
          ...(r.percentUsed !== undefined ? { percent_used: r.percentUsed } : {}),
          ...(r.forecastPercent !== undefined ? { forecast_percent: r.forecastPercent } : {}),
          status: r.status,
        })),
        more_pages: more,
        notes,
      },
    };
  },
});
