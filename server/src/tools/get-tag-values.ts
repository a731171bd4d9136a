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

/** How an empty tag value (cost without that tag) is shown in text; structured output keeps the empty string. */
const EMPTY_VALUE = '(empty: cost without this tag)';

export const getTagValuesTool = defineTool({
  name: 'get-tag-values',
  title: 'Get tag keys or values',
  description:
    "Cost allocation tag keys, or one key's values, with cost in a period (default: last 30 days), for TAG " +
    'filters and group-bys. Only activated tags appear.',
  inputSchema: {
    target_account_id: targetAccountId,
    tag_key: z.string().min(1).max(1024).optional().describe('A key to list its values; omit for the keys.'),
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
  operations: ['ce:GetTags', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const range = listRange(args, ctx.now);
    const limit = args.max_results ?? DEFAULT_MAX_RESULTS;
    const account = await ctx.account(args.target_account_id);
    const { filter, notes } = listFilter(args.filters, account);
    const collected = await collectListing(
      ctx,
      'ce:GetTags',
      {
        TimePeriod: { Start: range.start, End: range.end },
        ...(args.tag_key ? { TagKey: args.tag_key } : {}),
        ...(args.search_string ? { SearchString: args.search_string } : {}),
        ...(filter ? { Filter: filter } : {}),
      },
      account,
      (page) => page.Tags,
      limit,
    );
    return namesOrValuesAnswer(
      collected,
      {
        nameField: 'tag_key',
        name: args.tag_key,
        namesAre: 'keys',
        noun: args.tag_key ? `values of tag "${args.tag_key}"` : 'tag keys',
        empty: args.tag_key
          ? 'No values: the key had no cost in this range, or it is not an activated cost allocation tag.'
          : 'No tag keys: activate cost allocation tags in the Billing console (they apply from activation on).',
        hint: 'List the values of one key with tag_key.',
        show: (v) => (v === '' ? EMPTY_VALUE : v),
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
