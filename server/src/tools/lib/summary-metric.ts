import { z } from 'zod';
import { exact, type Amount } from '../../billing/money';

/** The cost metrics a summary can be given in, with GetCostForecast's name for each. */
export const SUMMARY_METRICS = {
  UnblendedCost: 'UNBLENDED_COST',
  AmortizedCost: 'AMORTIZED_COST',
  BlendedCost: 'BLENDED_COST',
  NetUnblendedCost: 'NET_UNBLENDED_COST',
  NetAmortizedCost: 'NET_AMORTIZED_COST',
} as const;
export type SummaryMetric = keyof typeof SUMMARY_METRICS;

export const summaryMetric = z
  .enum(Object.keys(SUMMARY_METRICS) as [SummaryMetric, ...SummaryMetric[]])
  .optional()
  .describe('Default UnblendedCost; AmortizedCost spreads upfront fees.');

/** `+1.5` / `-0.25`: a signed exact amount. */
export function signed(value: Amount): string {
  return value.isNegative() ? exact(value) : `+${exact(value)}`;
}

/** `+12.5%` / `-3%`: a signed percentage. */
export function signedPct(pct: string): string {
  return pct.startsWith('-') ? `${pct}%` : `+${pct}%`;
}
