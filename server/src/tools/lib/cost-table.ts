import type { GetCostAndUsageCommandOutput, ResultByTime } from '@aws-sdk/client-cost-explorer';
import { amount, sum, type Amount } from '../../billing/money';

/** Exact sums of a GetCostAndUsage answer: per metric, per group and per time bucket. */
export interface Summary {
  totals: Map<string, Amount>;
  units: Map<string, string>;
  groups: Map<string, Map<string, Amount>>;
  periods: { start: string; end: string; amount: Amount; estimated: boolean }[];
  estimated: boolean;
}

/** Sums every metric exactly, per group over the whole range and per time bucket. */
export function summarise(
  pages: readonly Omit<GetCostAndUsageCommandOutput, '$metadata'>[],
  metricNames: readonly string[],
  grouped: boolean,
): Summary {
  const totals = new Map<string, Amount>();
  const units = new Map<string, string>();
  const groups = new Map<string, Map<string, Amount>>();
  const periodTotals = new Map<string, { start: string; end: string; amount: Amount; estimated: boolean }>();
  const primary = metricNames[0];
  let estimated = false;
  const add = (map: Map<string, Amount>, key: string, value: Amount) =>
    map.set(key, (map.get(key) ?? amount(0)).plus(value));

  const results: ResultByTime[] = pages.flatMap((p) => p.ResultsByTime ?? []);
  for (const r of results) {
    const start = r.TimePeriod?.Start ?? '';
    const end = r.TimePeriod?.End ?? '';
    estimated ||= r.Estimated === true;
    const bucket = periodTotals.get(start) ?? {
      start,
      end,
      amount: amount(0),
      estimated: r.Estimated === true,
    };
    const metricSets = grouped
      ? (r.Groups ?? []).map((g) => ({ key: (g.Keys ?? []).join(' / '), metrics: g.Metrics ?? {} }))
      : [{ key: '', metrics: r.Total ?? {} }];
    for (const { key, metrics } of metricSets) {
      for (const m of metricNames) {
        const value = metrics[m];
        if (!value) continue;
        if (value.Unit) units.set(m, value.Unit);
        const v = amount(value.Amount);
        add(totals, m, v);
        if (grouped) {
          const g = groups.get(key) ?? new Map<string, Amount>();
          add(g, m, v);
          groups.set(key, g);
        }
        if (m === primary) bucket.amount = bucket.amount.plus(v);
      }
    }
    periodTotals.set(start, bucket);
  }
  const periods = [...periodTotals.values()].sort((a, b) => a.start.localeCompare(b.start));
  // Keep totals defined for metrics that never appeared.
  for (const m of metricNames) if (!totals.has(m)) totals.set(m, sum([]));
  return { totals, units, groups, periods, estimated };
}
