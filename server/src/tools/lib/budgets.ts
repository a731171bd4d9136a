import type { Budget } from '@aws-sdk/client-budgets';
import { amount, type Amount } from '../../billing/money';

export const BUDGET_STATUSES = ['exceeded', 'forecast_to_exceed', 'ok', 'below_target', 'no_limit'] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

// Coverage and utilization budgets set a floor (a percentage to stay above), not a ceiling.
export const FLOOR_TYPES = new Set([
  'RI_COVERAGE',
  'RI_UTILIZATION',
  'SAVINGS_PLANS_COVERAGE',
  'SAVINGS_PLANS_UTILIZATION',
]);

export const STATUS_ORDER: Record<BudgetStatus, number> = {
  exceeded: 0,
  forecast_to_exceed: 1,
  below_target: 2,
  ok: 3,
  no_limit: 4,
};

export const STATUS_TEXT: Record<BudgetStatus, string> = {
  exceeded: 'EXCEEDED',
  forecast_to_exceed: 'forecast to exceed',
  below_target: 'below target',
  ok: 'ok',
  no_limit: 'no limit',
};

export interface BudgetRow {
  name: string;
  type: string;
  timeUnit: string;
  unit: string;
  limit?: Amount;
  actual: Amount;
  forecast?: Amount;
  status: BudgetStatus;
  periodStart?: string;
  periodEnd?: string;
  health?: string;
}

/**
 * Where a budget stands, compared exactly: a cost or usage budget is exceeded when actual spend is above its limit
 * and forecast to exceed when only the forecast is; a coverage or utilization budget is below target when its
 * actual percentage is under the limit.
 */
export function budgetStatus(
  type: string,
  limit: Amount | undefined,
  actual: Amount,
  forecast?: Amount,
): BudgetStatus {
  if (!limit || limit.isZero()) return 'no_limit';
  if (FLOOR_TYPES.has(type)) return actual.lessThan(limit) ? 'below_target' : 'ok';
  if (actual.greaterThan(limit)) return 'exceeded';
  if (forecast && forecast.greaterThan(limit)) return 'forecast_to_exceed';
  return 'ok';
}

export function budgetRow(b: Budget): BudgetRow {
  const type = b.BudgetType ?? 'COST';
  const limit = b.BudgetLimit?.Amount !== undefined ? amount(b.BudgetLimit.Amount) : undefined;
  const actual = amount(b.CalculatedSpend?.ActualSpend?.Amount);
  const forecastRaw = b.CalculatedSpend?.ForecastedSpend?.Amount;
  const forecast = forecastRaw !== undefined ? amount(forecastRaw) : undefined;
  const date = (d: Date | undefined) =>
    d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString().slice(0, 10) : undefined;
  return {
    name: b.BudgetName ?? '(unnamed)',
    type,
    timeUnit: b.TimeUnit ?? '',
    unit: b.BudgetLimit?.Unit ?? b.CalculatedSpend?.ActualSpend?.Unit ?? 'USD',
    limit,
    actual,
    forecast,
    status: budgetStatus(type, limit, actual, forecast),
    periodStart: date(b.TimePeriod?.Start),
    periodEnd: date(b.TimePeriod?.End),
    health:
      b.HealthStatus?.Status === 'UNHEALTHY'
        ? `unhealthy: ${b.HealthStatus.StatusReason ?? 'unknown reason'}`
        : undefined,
  };
}
