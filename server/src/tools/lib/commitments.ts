import { z } from 'zod';
import type { AwsOperation } from '../../aws/actions';
import { AwsCallError } from '../../aws/errors';
import type { AccountScope } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import {
  addDays,
  parseIsoDate,
  resolveRange,
  toIsoDate,
  utcDay,
  type DateRange,
  type RangeArgs,
} from '../../billing/dates';
import { ToolInputError } from '../../billing/errors';
import { buildFilter, type FilterClause } from '../../billing/filters';
import { amount, rounded, type Amount } from '../../billing/money';
import type { ToolContext } from './types';

/**
 * What the reservation and Savings Plans tools share: their range rules, the Granularity/GroupBy rule, the
 * service names reservations exist for, and how "no commitments" is answered.
 */

/** Services that sell reservations, as Cost Explorer's SERVICE dimension names them. */
export const RESERVATION_SERVICES = [
  'Amazon Elastic Compute Cloud - Compute',
  'Amazon Relational Database Service',
  'Amazon ElastiCache',
  'Amazon Redshift',
  'Amazon OpenSearch Service',
  'Amazon MemoryDB',
] as const;
export type ReservationService = (typeof RESERVATION_SERVICES)[number];

export const granularity = z
  .enum(['MONTHLY', 'DAILY'])
  .optional()
  .describe('Default MONTHLY; ignored with group_by.');

/** Coverage and utilization keep the last 12 months plus the current one. */
const COMMITMENT_MONTHS_BACK = 12;

/**
 * Resolves the range (default last month, at most 12 months back). These APIs want an end date no later than
 * today, so an end of tomorrow (what month_to_date resolves to) becomes today, with a note.
 */
export function commitmentRange(args: RangeArgs, now: Date): { range: DateRange; notes: string[] } {
  const resolved = resolveRange(args, now, {
    defaultPeriod: 'last_month',
    maxMonthsBack: COMMITMENT_MONTHS_BACK,
  });
  const today = toIsoDate(utcDay(now));
  const notes: string[] = [];
  if (resolved.end > today) {
    if (resolved.start >= today) {
      throw new ToolInputError(
        `The range ${resolved.start} to ${resolved.end} has no complete day yet; reservation and Savings Plans data ` +
          `ends yesterday. Use an end_date of ${today} or earlier (e.g. period last_7_days).`,
      );
    }
    notes.push(`The range ends at ${today} (exclusive): today's data is not available to these APIs yet.`);
    return { range: { start: resolved.start, end: today }, notes };
  }
  return { range: resolved, notes };
}

/**
 * The Granularity to send: none when grouping, because the coverage and utilization APIs reject the two
 * together. Says so when the caller asked for both.
 */
export function granularityFor(
  groupBy: string | undefined,
  requested: 'MONTHLY' | 'DAILY' | undefined,
  notes: string[],
): 'MONTHLY' | 'DAILY' | undefined {
  if (!groupBy) return requested ?? 'MONTHLY';
  if (requested) {
    notes.push(
      `granularity ${requested} was not sent: AWS rejects Granularity together with GroupBy, so the groups cover ` +
        `the whole range. Call again without group_by for ${requested.toLowerCase()} buckets.`,
    );
  }
  return undefined;
}

/**
 * Builds the filter for a commitment API: the caller's clauses (LINKED_ACCOUNT clean-up applies) plus an optional
 * SERVICE clause from the tool's own `service` parameter. Credits and refunds do not apply to these APIs.
 */
export function commitmentFilter(
  clauses: readonly FilterClause[] | undefined,
  service: string | undefined,
  queriedAccountId: string,
): { filter: ReturnType<typeof buildFilter>['filter']; notes: string[] } {
  if (service && (clauses ?? []).some((c) => c.type === 'DIMENSION' && c.key === 'SERVICE')) {
    throw new ToolInputError('Give the service with the service parameter, not as a SERVICE filter as well.');
  }
  const all: FilterClause[] = [
    ...(service ? [{ type: 'DIMENSION' as const, key: 'SERVICE', values: [service] }] : []),
    ...(clauses ?? []),
  ];
  const { filter, notes } = buildFilter(all, { queriedAccountId, excludeCreditsRefunds: false });
  return { filter, notes };
}

/** What a commitment tool resolves from its arguments before calling AWS. */
export interface CommitmentRequest {
  readonly range: DateRange;
  /** Notes for the answer so far (range clipping, dropped granularity, filter clean-up). */
  readonly notes: string[];
  readonly account: AccountScope;
  readonly granularity: 'MONTHLY' | 'DAILY' | undefined;
  readonly filter: ReturnType<typeof buildFilter>['filter'];
}

/**
 * Resolves the range, the account, the granularity and the filter of a commitment tool, in that order (so a bad
 * range is reported before the account is looked up, and a conflicting filter after).
 */
export async function commitmentRequest(
  args: RangeArgs & {
    target_account_id?: string;
    group_by?: string;
    granularity?: 'MONTHLY' | 'DAILY';
    filters?: readonly FilterClause[];
  },
  service: string | undefined,
  ctx: Pick<ToolContext, 'now' | 'account'>,
): Promise<CommitmentRequest> {
  const { range, notes } = commitmentRange(args, ctx.now);
  const account = await ctx.account(args.target_account_id);
  const gran = granularityFor(args.group_by, args.granularity, notes);
  const { filter, notes: filterNotes } = commitmentFilter(args.filters, service, account.accountId);
  notes.push(...filterNotes);
  return { range, notes, account, granularity: gran, filter };
}

/** The request fields the coverage and reservation utilization APIs share. */
export function commitmentQuery(request: CommitmentRequest, groupBy: string | undefined) {
  return {
    TimePeriod: { Start: request.range.start, End: request.range.end },
    ...(groupBy ? { GroupBy: [{ Type: 'DIMENSION' as const, Key: groupBy }] } : {}),
    ...(request.granularity ? { Granularity: request.granularity } : {}),
    ...(request.filter ? { Filter: request.filter } : {}),
  };
}

/**
 * Reads every page of a commitment API (up to the page bound), noting in `request.notes` when reading stopped
 * early or more `items` exist. No commitments in the range is no pages, not an error.
 */
export async function readCommitmentPages<O extends AwsOperation>(
  ctx: Pick<ToolContext, 'paginate' | 'config'>,
  operation: O,
  input: InputOf<O>,
  request: CommitmentRequest,
  token: string,
  items: string,
): Promise<{ pages: OutputOf<O>[]; more: boolean }> {
  try {
    const result = await ctx.paginate(operation, input, request.account, {
      inputToken: token,
      outputToken: token,
      items,
    });
    if (result.note) request.notes.push(result.note);
    return { pages: result.pages, more: result.more };
  } catch (err) {
    if (!isNoCommitmentData(err)) throw err;
    return { pages: [], more: false };
  }
}

/**
 * Folds rows that share a key (a group seen in several time buckets) into one, in first-seen order: a key seen
 * once keeps AWS's figures, percentage included; a key seen several times gets `combine` of its rows.
 */
export function mergeByKey<F>(
  rows: readonly { key: string; f: F }[],
  combine: (fs: F[]) => F,
): { key: string; f: F; merged: boolean }[] {
  const byKey = new Map<string, F[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.f]);
  return [...byKey.entries()].map(([key, fs]) =>
    fs.length === 1 ? { key, f: fs[0], merged: false } : { key, f: combine(fs), merged: true },
  );
}

/** Time buckets shown: a month of days at most. */
const PERIODS_SHOWN = 31;

/** A time bucket from AWS with its figures. */
export function periodRow<F>(timePeriod: { Start?: string; End?: string } | undefined, f: F) {
  return { start: timePeriod?.Start ?? '', end: timePeriod?.End ?? '', f };
}

/** The last time buckets, the ones shown. */
export function shownPeriods<P>(periods: readonly P[]): P[] {
  return periods.slice(-PERIODS_SHOWN);
}

/** The time buckets shown, as structured output: each range with its figures in the tool's output form. */
export function periodsData<F, O extends object>(
  periods: readonly { start: string; end: string; f: F }[],
  out: (f: F) => O,
): ({ start: string; end: string } & O)[] {
  return shownPeriods(periods).map((p) => ({ start: p.start, end: p.end, ...out(p.f) }));
}

/** Cost Explorer's "nothing to report" for commitments: no reservations or Savings Plans (or no usage) then. */
export function isNoCommitmentData(err: unknown): boolean {
  return err instanceof AwsCallError && err.kind === 'data-unavailable';
}

/** A readable label for a group's attributes: the value alone when there is one, else `key: value` pairs. */
export function attributesLabel(attributes: Record<string, string> | undefined): string {
  const entries = Object.entries(attributes ?? {}).filter(([, v]) => v !== undefined && v !== '');
  if (entries.length === 0) return '(all)';
  if (entries.length === 1) return entries[0][1];
  return entries.map(([k, v]) => `${k}: ${v}`).join(', ');
}

/** An optional decimal string from AWS, exact, or undefined when AWS sent none. */
export function optionalAmount(value: string | undefined): Amount | undefined {
  return value === undefined || value === '' ? undefined : amount(value);
}

/** A percentage string as AWS gives it, rounded to 2 places for text. */
export function pctText(value: string | undefined): string {
  return value === undefined || value === '' ? '—' : `${rounded(value, 2)}%`;
}

/** The last day of a range (its end is exclusive), for text. */
export function lastDay(range: DateRange): string {
  return toIsoDate(addDays(parseIsoDate(range.end, 'end_date'), -1));
}
