import { z } from 'zod';
import {
  collectListing,
  DEFAULT_MAX_RESULTS,
  listFilter,
  listRange,
  maxResults,
  namesOrValuesAnswer,
  searchString,
} from './lib/listings';
import { endDate, filters, period, refresh, startDate, targetAccountId } from './lib/params';
import { defineTool } from './lib/types';

export const getCostCategoriesTool = defineTool({
  name: 'get-cost-categories',
  title: 'Get cost categories',
  description:
    "Cost category names, or one category's values, with cost in a period (default: last 30 days), for " +
    'COST_CATEGORY filters and group-bys.',
  inputSchema: {
    target_account_id: targetAccountId,
    cost_category: z
      .string()
      .min(1)
      .max(50)
      .optional()
      .describe('A category to list its values; omit for the names.'),
    search_string: searchString,
    period,
    start_date: startDate,
    end_date: endDate,
    filters,
    max_results: maxResults,
    refresh,
  },
  outputSchema: {
    items: z.array(z.string()),
  },
  operations: ['ce:GetCostCategories', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const range = listRange(args, ctx.now);
    const limit = args.max_results ?? DEFAULT_MAX_RESULTS;
    const account = await ctx.account(args.target_account_id);
    const { filter, notes } = listFilter(args.filters, account);
    const name = args.cost_category;
    const collected = await collectListing(
      ctx,
      'ce:GetCostCategories',
      {
        TimePeriod: { Start: range.start, End: range.end },
        ...(name ? { CostCategoryName: name } : {}),
        ...(args.search_string ? { SearchString: args.search_string } : {}),
        ...(filter ? { Filter: filter } : {}),
      },
      account,
      (page) => (name ? page.CostCategoryValues : page.CostCategoryNames),
      limit,
    );
    return namesOrValuesAnswer(
      collected,
      {
        nameField: 'cost_category',
        name,
        namesAre: 'names',
        noun: name ? `values of cost category "${name}"` : 'cost categories',
        empty: name
          ? 'No values had cost in this range; check the category name with get-cost-categories.'
          : 'No cost categories had cost in this range (they are defined in the Billing console).',
        hint: 'List the values of one category with cost_category.',
      },
      {
        account,
        range,
        searchString: args.search_string,
        notes,
        limit,
        maxPages: ctx.config.maxPages,
      },
    );
  },
});
