import { accountLabel } from '../../billing/format';
import { z } from 'zod';
import type { AwsOperation } from '../../aws/actions';
import type { AccountScope } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import { resolveRange, type DateRange, type RangeArgs } from '../../billing/dates';
import { buildFilter, CE_DIMENSIONS, type FilterClause } from '../../billing/filters';
import { type ToolAnswer, type ToolContext } from './types';

/** Dimensions GetDimensionValues lists (LINKED_ACCOUNT_NAME and SERVICE_CODE exist only in cost category rules). */
export const LISTABLE_DIMENSIONS = CE_DIMENSIONS.filter(
  (d) => d !== 'LINKED_ACCOUNT_NAME' && d !== 'SERVICE_CODE',
);

export const DIMENSION_CONTEXTS = ['COST_AND_USAGE', 'RESERVATIONS', 'SAVINGS_PLANS'] as const;

/** The listing tools' default window: recent enough to be current, long enough to include monthly charges. */
const LIST_DEFAULT_PERIOD = 'last_30_days';

export const DEFAULT_MAX_RESULTS = 100;

/** `max_results` for the listing tools: a bound on values returned (and on paid pages read). */
export const maxResults = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .optional()
  .describe(`Default ${DEFAULT_MAX_RESULTS}.`);

export const searchString = z.string().max(1024).optional().describe('Only values containing this.');

/** The listing tools' range: the period in which values must have had cost or usage (14 months back at most). */
export function listRange(args: RangeArgs, now: Date): DateRange {
  return resolveRange(args, now, { defaultPeriod: LIST_DEFAULT_PERIOD, maxMonthsBack: 14 });
}

/** What a bounded read of a paginated listing produced. */
export interface Collected<T> {
  readonly items: T[];
  /** Cost Explorer's TotalSize of the first page (the number of matching values), when it gave one. */
  readonly totalSize: number | undefined;
  /** More values exist than were returned (cut to max_results, or pages left unread). */
  readonly more: boolean;
  readonly pagesRead: number;
}

/**
 * Reads a Cost Explorer listing (NextPageToken pagination) until `limit` items are collected, the pages run out or
 * the page bound is reached. Each page is a paid request, so it stops as soon as it has enough.
 */
export async function collectListing<O extends AwsOperation, T>(
  ctx: ToolContext,
  operation: O,
  input: InputOf<O>,
  account: AccountScope,
  pick: (page: OutputOf<O>) => T[] | undefined,
  limit: number,
): Promise<Collected<T>> {
  const items: T[] = [];
  let token: string | undefined;
  let totalSize: number | undefined;
  let pagesRead = 0;
  do {
    const request = (token ? { ...input, NextPageToken: token } : input) as InputOf<O>;
    const page = await ctx.call(operation, request, account);
    pagesRead++;
    const p = page as { NextPageToken?: string; TotalSize?: number };
    if (pagesRead === 1 && typeof p.TotalSize === 'number') totalSize = p.TotalSize;
    items.push(...(pick(page) ?? []));
    token = p.NextPageToken || undefined;
  } while (token && items.length < limit && pagesRead < ctx.config.maxPages);
  return {
    items: items.slice(0, limit),
    totalSize,
    more: items.length > limit || Boolean(token),
    pagesRead,
  };
}

/** Builds the filter of a listing tool: LINKED_ACCOUNT clean-up, but no credits/refunds exclusion (it lists values). */
export function listFilter(clauses: FilterClause[] | undefined, account: AccountScope) {
  return buildFilter(clauses, { queriedAccountId: account.accountId, excludeCreditsRefunds: false });
}

/** "12 of 340 values" / "3 values", for the answer's first line. */
export function countPhrase(shown: number, collected: Collected<unknown>, noun: string): string {
  const total = collected.totalSize;
  if (collected.more && total !== undefined && total > shown) return `${shown} of ${total} ${noun}`;
  if (collected.more) return `the first ${shown} ${noun}`;
  return `${shown} ${noun}`;
}

export function moreNote(collected: Collected<unknown>, limit: number, maxPages: number): string | undefined {
  if (!collected.more) return undefined;
  return collected.items.length >= limit
    ? `More values exist: raise max_results (now ${limit}, at most 1000) or narrow with search_string.`
    : `More values exist beyond the ${maxPages} pages read; narrow with search_string, filters or a shorter range.`;
}

/** The first line of a listing's answer, up to its closing punctuation: how many of what, for which account and range. */
export function listingHeadline(
  shown: number,
  collected: Collected<unknown>,
  noun: string,
  searchString: string | undefined,
  /** The account as the heading names it (accountLabel). */
  account: string,
  range: DateRange,
): string {
  const search = searchString ? ` matching "${searchString}"` : '';
  return (
    `**${countPhrase(shown, collected, noun)}${search}** for account ${account}, ` +
    `${range.start} to ${range.end} (end exclusive)`
  );
}

/** How a tool listing either names (tag keys, cost categories) or the values of one name words its answer. */
export interface NamesOrValues {
  /** The output field that carries the name whose values are listed, e.g. tag_key. */
  readonly nameField: string;
  /** The name given, when values are listed. */
  readonly name: string | undefined;
  /** What `listed` says when names are listed, e.g. keys. */
  readonly namesAre: string;
  /** What is counted in the first line. */
  readonly noun: string;
  /** The line that replaces an empty list. */
  readonly empty: string;
  /** The line after a list of names, telling how to list one name's values. */
  readonly hint: string;
  /** How an item is shown in the text (structured output keeps it as it is). */
  readonly show?: (item: string) => string;
}

/** Answers a names-or-values listing: the count, the items as a list, and how to go further. */
export function namesOrValuesAnswer(
  collected: Collected<string>,
  wording: NamesOrValues,
  scope: {
    account: AccountScope;
    range: DateRange;
    searchString: string | undefined;
    notes: string[];
    limit: number;
    maxPages: number;
  },
): ToolAnswer {
  const { account, range, searchString, notes } = scope;
  const more = moreNote(collected, scope.limit, scope.maxPages);
  if (more) notes.push(more);
  const items = collected.items;
  const show = wording.show ?? ((v: string) => v);
  const lines = [
    listingHeadline(items.length, collected, wording.noun, searchString, accountLabel(account), range) + '.',
  ];
  if (items.length === 0) {
    lines.push(wording.empty);
  } else {
    lines.push('', ...items.map((v) => `- ${show(v)}`));
    if (!wording.name) lines.push('', wording.hint);
  }
  return {
    text: lines.join('\n'),
    data: {
      account_id: account.accountId,
      listed: wording.name ? 'values' : wording.namesAre,
      ...(wording.name ? { [wording.nameField]: wording.name } : {}),
      range,
      ...(searchString ? { search_string: searchString } : {}),
      items,
      ...(collected.totalSize !== undefined ? { total_size: collected.totalSize } : {}),
      more: collected.more,
      notes,
    },
  };
}
