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

export const refresh = z.boolean().optional().describe('true: skip the cache ($0.01 a request).');

export const period = z.enum(PERIODS).optional().describe(PERIOD_DESCRIPTION);

export const startDate = boundedString('start_date', AWS_LIMITS.ceDate)
  .optional()
  .describe('YYYY-MM-DD, inclusive.');

export const endDate = boundedString('end_date', AWS_LIMITS.ceDate)
  .optional()
  .describe('YYYY-MM-DD, exclusive.');

// The fields of a clause are described by the parameter, which names each of them (test/e2e/tools-list.test.ts):
// one description per parameter instead of one per field in every tool that takes it.

export const filters = boundedArray(
  z.object({
    type: z.enum(FILTER_TYPES),
    key: boundedString('filters key', AWS_LIMITS.ceValue),
    values: boundedArray(
      boundedString('filters values', AWS_LIMITS.ceValue),
      'filters values',
      AWS_LIMITS.ceValuesPerClause,
    ),
    exclude: z.boolean().optional(),
  }),
  'filters',
  AWS_LIMITS.ceClauses,
)
  .optional()
  .describe('ANDed clauses {type, key, values, exclude}.');

export const groupBy = z
  .array(
    z.object({
      type: z.enum(FILTER_TYPES),
      key: boundedString('group_by key', AWS_LIMITS.ceValue),
    }),
  )
  // The message the handler's own check gives (billing/filters.ts), so the refusal reads the same either way.
  .max(AWS_LIMITS.ceGroupBy, {
    error: (issue) =>
      `group_by takes at most two keys (a Cost Explorer limit), got ${(issue.input as unknown[]).length}.`,
  })
  .optional()
  .describe('Up to two {type, key}, e.g. [{"type":"DIMENSION","key":"SERVICE"}].');

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
  .describe('Default ["UnblendedCost"]; the first ranks the groups.');

export const includeCreditsRefunds = z.boolean().optional().describe('true: count credits and refunds.');

// Output schemas list only an answer's key fields, undescribed: tools/list has a size budget
// (test/e2e/tools-list-size.ts). The SDK still validates every answer against them, and a client may too, so every
// object is loose (JSON Schema `additionalProperties: {}`): it accepts the fields it does not list, which the answer
// text and the README's Tools section describe.

/** An exact amount: a decimal string and its currency or unit (a fan-out's combined total adds `accounts`). */
export const moneyShape = z.looseObject({ amount: z.string(), unit: z.string() });

/** Rows of an answer (groups, periods, resources, recommendations…), each a loose object listing its key fields. */
export const looseRows = (shape: z.ZodRawShape = {}) => z.array(z.looseObject(shape));
