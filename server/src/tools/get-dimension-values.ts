import { z } from 'zod';
import { table, accountLabel } from '../billing/format';
import { endDate, filters, looseRows, period, refresh, startDate, targetAccountId } from './lib/params';
import { defineTool } from './lib/types';
import {
  DEFAULT_MAX_RESULTS,
  DIMENSION_CONTEXTS,
  LISTABLE_DIMENSIONS,
  collectListing,
  listFilter,
  listRange,
  listingHeadline,
  maxResults,
  moreNote,
  searchString,
} from './lib/listings';

export const getDimensionValuesTool = defineTool({
  name: 'get-dimension-values',
  title: 'Get dimension values',
  description:
    'Values of a Cost Explorer dimension (services, regions, accounts, usage types…) with cost in a period ' +
    '(default: last 30 days), for filters and group-bys.',
  inputSchema: {
    target_account_id: targetAccountId,
    dimension: z
      .enum(LISTABLE_DIMENSIONS as unknown as [string, ...string[]])
      .describe('The dimension to list.'),
    search_string: searchString,
    context: z
      .enum(DIMENSION_CONTEXTS)
      .optional()
      .describe('Default COST_AND_USAGE; the others serve RI and Savings Plans tools.'),
    period,
    start_date: startDate,
    end_date: endDate,
    filters,
    max_results: maxResults,
    refresh,
  },
  outputSchema: {
    values: looseRows(),
  },
  operations: ['ce:GetDimensionValues', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const range = listRange(args, ctx.now);
    const context = args.context ?? 'COST_AND_USAGE';
    const limit = args.max_results ?? DEFAULT_MAX_RESULTS;
    const account = await ctx.account(args.target_account_id);
    const { filter, notes } = listFilter(args.filters, account);
    const collected = await collectListing(
      ctx,
      'ce:GetDimensionValues',
      {
        TimePeriod: { Start: range.start, End: range.end },
        Dimension: args.dimension as never,
        Context: context,
        ...(args.search_string ? { SearchString: args.search_string } : {}),
        ...(filter ? { Filter: filter } : {}),
      },
      account,
      (page) => page.DimensionValues,
      limit,
    );
    const values = collected.items.map((v) => ({
      value: v.Value ?? '',
      ...(v.Attributes?.description ? { description: v.Attributes.description } : {}),
    }));
    const more = moreNote(collected, limit, ctx.config.maxPages);
    if (more) notes.push(more);
    if (
      args.dimension === 'LINKED_ACCOUNT' &&
      !collected.more &&
      values.length > 0 &&
      !values.some((v) => v.value === account.accountId)
    ) {
      notes.push(
        `The queried account ${account.accountId} is not in this list: a management account is not its own linked ` +
          `account, so do not filter on it (omit the filter to see its whole bill).`,
      );
    }

    const lines = [
      listingHeadline(
        values.length,
        collected,
        `${args.dimension} values`,
        args.search_string,
        accountLabel(account),
        range,
      ) + `, context ${context}.`,
    ];
    if (values.length === 0) {
      lines.push('No values had cost or usage in this range; try a longer range or another search string.');
    } else if (values.some((v) => v.description)) {
      lines.push(
        '',
        table(
          ['Value', 'Description'],
          values.map((v) => [v.value, v.description ?? '']),
        ),
      );
    } else {
      lines.push('', ...values.map((v) => `- ${v.value}`));
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        dimension: args.dimension,
        context,
        range,
        ...(args.search_string ? { search_string: args.search_string } : {}),
        values,
        ...(collected.totalSize !== undefined ? { total_size: collected.totalSize } : {}),
        more: collected.more,
        notes,
      },
    };
  },
});
