import Decimal from 'decimal.js';
import type { Handler } from './fake-aws';

/** One day's cost of one service (and, optionally, its other dimensions: USAGE_TYPE, REGION, LINKED_ACCOUNT…). */
export interface LedgerEntry {
  readonly day: string;
  readonly service: string;
  readonly amount: string;
  readonly estimated?: boolean;
  readonly dims?: Readonly<Record<string, string>>;
}

export interface LedgerOptions {
  /**
   * Added to every ungrouped MONTHLY bucket's Total, so Cost Explorer's figure for a period differs from the sum of
   * its days and of its groups in the last decimals, as the real one does (it rounds each on its own).
   */
  readonly monthlyDrift?: string;
}

const DAY_MS = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * A GetCostAndUsage handler answering any request from one ledger of daily costs, as Cost Explorer does: one bucket
 * per day (DAILY) or per calendar month cut at the range's ends (MONTHLY), End exclusive; grouped answers carry the
 * groups and an empty Total, ungrouped ones the Total. Every metric asked gets the same amounts.
 */
export function costLedger(entries: readonly LedgerEntry[], options: LedgerOptions = {}): Handler {
  return (body) => {
    const period = body.TimePeriod as { Start: string; End: string };
    const metrics = (body.Metrics as string[] | undefined) ?? ['UnblendedCost'];
    const groupBy = (body.GroupBy as { Key: string }[] | undefined) ?? [];
    const end = Date.parse(`${period.End}T00:00:00Z`);
    const results = [];
    for (let t = Date.parse(`${period.Start}T00:00:00Z`); t < end;) {
      const d = new Date(t);
      const next =
        body.Granularity === 'MONTHLY'
          ? Math.min(end, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
          : t + DAY_MS;
      const [start, stop] = [iso(t), iso(next)];
      const inside = entries.filter((e) => e.day >= start && e.day < stop);
      const money = (v: Decimal) =>
        Object.fromEntries(metrics.map((m) => [m, { Amount: v.toFixed(), Unit: 'USD' }]));
      const base = {
        TimePeriod: { Start: start, End: stop },
        Estimated: inside.some((e) => e.estimated === true),
      };
      if (groupBy.length > 0) {
        const groups = new Map<string, { keys: string[]; sum: Decimal }>();
        for (const e of inside) {
          const keys = groupBy.map((g) => (g.Key === 'SERVICE' ? e.service : (e.dims?.[g.Key] ?? 'NoValue')));
          const key = JSON.stringify(keys);
          const g = groups.get(key) ?? { keys, sum: new Decimal(0) };
          g.sum = g.sum.plus(e.amount);
          groups.set(key, g);
        }
        results.push({
          ...base,
          Total: {},
          Groups: [...groups.values()].map((g) => ({ Keys: g.keys, Metrics: money(g.sum) })),
        });
      } else {
        let total = inside.reduce((s, e) => s.plus(e.amount), new Decimal(0));
        if (body.Granularity === 'MONTHLY' && options.monthlyDrift && inside.length > 0) {
          total = total.plus(options.monthlyDrift);
        }
        results.push({ ...base, Total: money(total) });
      }
      t = next;
    }
    return {
      ResultsByTime: results,
      ...(groupBy.length ? { GroupDefinitions: groupBy } : {}),
      DimensionValueAttributes: [],
    };
  };
}
