import { z } from 'zod';
import { PERIOD_DESCRIPTION, PERIODS } from '../../billing/dates';
import { FILTER_TYPES } from '../../billing/filters';
import { AWS_LIMITS, boundedArray, boundedString } from './bounds';

/** Parameters shared by the tools, so every tool describes them the same way. */

/**
 * A 12-digit account id or an account name, which the runner resolves to its id before anything else
 * (tools/lib/accounts.ts); bounded by the longest account name Organizations allows.
 */
export function accountReference(param: string): z.ZodString {
  return z
    .string()
    .min(1, `${param}: give a 12-digit account id or an account name`)
    .max(
      AWS_LIMITS.accountName,
      `${param}: an account id has 12 digits, a name at most ${AWS_LIMITS.accountName} characters`,
    );
}

export const targetAccountId = accountReference('target_account_id')
  .optional()
  .describe(
    "Account id or name (list-accounts) to query; default: the server's own. Others need the member role.",
  );

export const refresh = z
  .boolean()
  .optional()
  .describe('true: skip the cache and ask AWS again ($0.01 per Cost Explorer request).');

export const period = z.enum(PERIODS).optional().describe(PERIOD_DESCRIPTION);

export const startDate = boundedString('start_date', AWS_LIMITS.ceDate)
  .optional()
  .describe('Start date YYYY-MM-DD, inclusive. Use with end_date instead of period.');

export const endDate = boundedString('end_date', AWS_LIMITS.ceDate)
  .optional()
  .describe('End date YYYY-MM-DD, exclusive (as Cost Explorer): 2026-10-01 to 2026-11-01 is October.');

export const filters = boundedArray(
  z
    .object({
      type: z.enum(FILTER_TYPES).describe('DIMENSION, TAG or COST_CATEGORY.'),
      key: boundedString('filters key', AWS_LIMITS.ceValue).describe(
        'Dimension (SERVICE, REGION, …), tag key or cost category.',
      ),
      values: boundedArray(
        boundedString('filters values', AWS_LIMITS.ceValue),
        'filters values',
        AWS_LIMITS.ceValuesPerClause,
      ).describe('Exact values to match.'),
      exclude: z.boolean().optional().describe('true: exclude these values.'),
    })
    .describe('One filter clause.'),
  'filters',
  AWS_LIMITS.ceClauses,
)
  .optional()
  .describe('Clauses ANDed together; exact values from get-dimension-values / get-tag-values.');

export const groupBy = z
  .array(
    z
      .object({
        type: z.enum(FILTER_TYPES).describe('DIMENSION, TAG or COST_CATEGORY.'),
        key: boundedString('group_by key', AWS_LIMITS.ceValue).describe(
          'Dimension (SERVICE, REGION, …), tag key or cost category.',
        ),
      })
      .describe('One grouping key.'),
  )
  // The message the handler's own check gives (billing/filters.ts), so the refusal reads the same either way.
  .max(AWS_LIMITS.ceGroupBy, {
    error: (issue) =>
      `group_by takes at most two keys (a Cost Explorer limit), got ${(issue.input as unknown[]).length}.`,
  })
  .optional()
  .describe('Up to two grouping keys, e.g. [{"type":"DIMENSION","key":"SERVICE"}].');

export const COST_METRICS = [
  'UnblendedCost',
  'BlendedCost',
  'AmortizedCost',
  'NetUnblendedCost',
  'NetAmortizedCost',
  'UsageQuantity',
  'NormalizedUsageAmount',
] as const;

export const metrics = boundedArray(z.enum(COST_METRICS), 'metrics', AWS_LIMITS.ceMetrics)
  .optional()
  .describe('Cost Explorer metrics; default ["UnblendedCost"]. The first one ranks the groups.');

export const includeCreditsRefunds = z
  .boolean()
  .optional()
  .describe(
    'true to count credits and refunds (excluded by default because they offset usage and can show $0).',
  );

// Output shapes carry no descriptions: tools/list must fit its budget (test/e2e/tools-list-size.ts), and a client
// validates structured content against them; the field names say what they hold, the README's Tools section the rest.

/** What an answer cost in AWS requests: requests, paid ones ($0.01 each), their cost, cache hits, data age. */
export const apiUsageShape = {
  requests: z.number(),
  paid_requests: z.number(),
  cost_usd: z.string(),
  cache_hits: z.number(),
  shared_cache_hits: z.number(),
  data_fetched_at: z.string().optional(),
};

/** Fields every structured answer carries, added by the tool runner. */
export const commonOutputShape = {
  computed_on: z.string(),
  api: z.object(apiUsageShape),
  notes: z.array(z.string()).optional(),
};

/** A resolved range: start inclusive, end exclusive. */
export const rangeShape = z.object({ start: z.string(), end: z.string() });

/** An exact amount: a decimal string and its currency or unit. */
export const moneyShape = z.object({ amount: z.string(), unit: z.string() });
