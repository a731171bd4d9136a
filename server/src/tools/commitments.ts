import { z } from 'zod';
import { AwsCallError } from '../aws/errors';
import {
  addDays,
  parseIsoDate,
  resolveRange,
  toIsoDate,
  utcDay,
  type DateRange,
  type RangeArgs,
} from '../core/dates';
import { ToolInputError } from '../core/errors';
import { buildFilter, type FilterClause } from '../core/filters';
import { amount, rounded, type Amount } from '../core/money';

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
  .describe(
    'Time buckets; default MONTHLY. Not used with group_by: AWS rejects Granularity together with GroupBy, so a ' +
      'grouped answer covers the whole range.',
  );

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

/** Schema of a date range answered by these tools. */
export const commitmentRangeShape = z
  .object({ start: z.string(), end: z.string() })
  .describe('Resolved range: start inclusive, end exclusive.');
