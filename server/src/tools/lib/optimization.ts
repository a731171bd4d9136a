import { z } from 'zod';
import { AwsCallError } from '../../aws/errors';
import { monthStart } from '../../billing/dates';
import { ToolInputError } from '../../billing/errors';
import { amount, exact } from '../../billing/money';
import { AWS_LIMITS, boundedString } from './bounds';

/** Parameters and helpers shared by the optimization, pricing, free tier, calculator and Billing Conductor tools. */

/** An AWS region name such as us-east-1, eu-central-2 or us-gov-west-1. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The `region` parameter of regional reads. */
export const region = boundedString('region', AWS_LIMITS.region)
  .regex(AWS_REGION_PATTERN, 'region must be an AWS region name such as us-east-1')
  .optional()
  .describe("Region to read; default the server's.");

const BILLING_PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The `billing_period` parameter of the Billing Conductor tools. */
export const billingPeriod = z
  .string()
  .regex(BILLING_PERIOD, 'billing_period must be YYYY-MM, e.g. 2026-10')
  .optional()
  .describe('YYYY-MM; default this month (UTC).');

/** `max_results` with a default and a hard cap, so every answer stays bounded. */
export function maxResults(defaultValue: number, max: number, what: string) {
  return z.number().int().min(1).max(max).optional().describe(`How many ${what}; default ${defaultValue}.`);
}

/** The current month as YYYY-MM. */
export function currentBillingPeriod(now: Date): string {
  return monthStart(now).toISOString().slice(0, 7);
}

/** The month `months` after a YYYY-MM billing period. */
export function addMonths(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 7);
}

/** Resolves `billing_period` (default: the current month) and refuses a month that has not started yet. */
export function resolveBillingPeriod(value: string | undefined, now: Date, param = 'billing_period'): string {
  const current = currentBillingPeriod(now);
  const period = value ?? current;
  if (period > current) {
    throw new ToolInputError(
      `${param} ${period} is in the future; the latest billing period with data is ${current}.`,
    );
  }
  return period;
}

/** An epoch-seconds timestamp (as JSON-protocol APIs send it) or a Date as an ISO 8601 string. */
export function isoTime(value: number | Date | string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date =
    value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Case-insensitive substring match; an absent needle matches everything. */
export function matches(haystack: string | undefined, needle: string | undefined): boolean {
  if (!needle) return true;
  return (haystack ?? '').toLowerCase().includes(needle.toLowerCase());
}

/** True for an AwsCallError of one of the given kinds. */
export function isAwsFailure(err: unknown, ...kinds: AwsCallError['kind'][]): err is AwsCallError {
  return err instanceof AwsCallError && kinds.includes(err.kind);
}

/** The estimate fields of a Cost Optimization Hub recommendation, as a listed one and a detailed one share them. */
export interface CohEstimate {
  readonly estimatedMonthlyCost?: number;
  readonly estimatedSavingsPercentage?: number;
  readonly implementationEffort?: string;
  readonly restartNeeded?: boolean;
  readonly rollbackPossible?: boolean;
  readonly source?: string;
}

/** A recommendation's optional estimate fields for structured output: exact amounts, absent ones left out. */
export function cohEstimateData(r: CohEstimate) {
  return {
    ...(r.estimatedMonthlyCost !== undefined
      ? { estimated_monthly_cost: exact(amount(r.estimatedMonthlyCost)) }
      : {}),
    ...(r.estimatedSavingsPercentage !== undefined
      ? { savings_percentage: exact(amount(r.estimatedSavingsPercentage)) }
      : {}),
    ...(r.implementationEffort ? { implementation_effort: r.implementationEffort } : {}),
    ...(r.restartNeeded !== undefined ? { restart_needed: r.restartNeeded } : {}),
    ...(r.rollbackPossible !== undefined ? { rollback_possible: r.rollbackPossible } : {}),
    ...(r.source ? { source: r.source } : {}),
  };
}

/** Orders AWS objects by their Name (unnamed first). */
export function byName(a: { Name?: string }, b: { Name?: string }): number {
  return (a.Name ?? '').localeCompare(b.Name ?? '');
}

/** Billing Conductor's pagination. */
export const NEXT_TOKEN = { inputToken: 'NextToken', outputToken: 'NextToken' } as const;
