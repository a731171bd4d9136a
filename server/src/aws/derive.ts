import type {
  GetAnomaliesCommandInput,
  GetAnomaliesCommandOutput,
  GetCostAndUsageCommandInput,
  GetCostAndUsageCommandOutput,
  Group,
  MetricValue,
  ResultByTime,
} from '@aws-sdk/client-cost-explorer';
import { LRUCache } from 'lru-cache';
import { amount, type Amount } from '../billing/money';
import { cacheKey, stableStringify, type CachedAnswer } from './cache';

/**
 * Answers a Cost Explorer request from a stored answer to a broader one, when the result is provably what Cost
 * Explorer itself would answer. Cost Explorer bills per request, and a chat often asks for a slice of what it
 * already fetched: "the last 30 days" after a daily read of two months, "October's total" after October by service,
 * "any anomalies?" after a summary that read a window holding the one asked. Every derivation starts from a complete
 * stored answer (a first page without NextPageToken) whose request had the same account, region, filter and every
 * other field.
 *
 * GetCostAndUsage:
 * - a sub-range of DAILY buckets: each day is its own bucket, copied as it is (amounts, groups, Estimated);
 * - a run of whole MONTHLY buckets: Cost Explorer cuts a MONTHLY range at the 1st of each month, so a request whose
 *   start and end are both bucket edges of the stored answer gets exactly those buckets;
 * - an ungrouped total from a grouped answer of the same buckets, for cost metrics only: every cost line item
 *   belongs to exactly one group, so the total is the exact sum of the groups. Never for UsageQuantity or
 *   NormalizedUsageAmount, whose groups mix units (hours, GB, requests) that do not add up.
 * A grouped answer is derived only from one with the same GroupBy and the same metrics: which groups Cost Explorer
 * lists could depend on the metrics asked, and a ranked "top 25 + others" must come from the full set of groups.
 * The stored answer must hold exactly the buckets Cost Explorer answers for its range (one per day, or one per
 * calendar month cut at the range's ends): anything else is not sliced.
 *
 * GetAnomalies: a window inside a stored window. Cost Explorer returns the anomalies whose AnomalyEndDate falls in
 * the requested DateInterval (both ends inclusive), so the anomalies of the narrower window are the stored ones with
 * their end date inside it. Every stored anomaly must carry an end date, and the request must not set MaxResults
 * (a smaller page would split the answer differently).
 */

type CostInput = GetCostAndUsageCommandInput;
type CostOutput = Omit<GetCostAndUsageCommandOutput, '$metadata'>;
type AnomaliesInput = GetAnomaliesCommandInput;
type AnomaliesOutput = Omit<GetAnomaliesCommandOutput, '$metadata'>;

/** Metrics whose groups all share one unit (the currency), so a sum over groups is the total. */
const ADDITIVE_METRICS: ReadonlySet<string> = new Set([
  'UnblendedCost',
  'BlendedCost',
  'AmortizedCost',
  'NetUnblendedCost',
  'NetAmortizedCost',
]);

const COSTS = 'ce:GetCostAndUsage';
const ANOMALIES = 'ce:GetAnomalies';
const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A GetCostAndUsage request reduced to what varies between a stored answer and a request it may serve. */
interface CostShape {
  readonly kind: 'costs';
  /** Account, region and every request field but the period, granularity, grouping and metrics. */
  readonly family: string;
  readonly start: string;
  /** Exclusive. */
  readonly end: string;
  readonly granularity: 'DAILY' | 'MONTHLY';
  /** Stable text of GroupBy; '' when ungrouped. */
  readonly groupBy: string;
  /** Sorted, without repeats. */
  readonly metrics: readonly string[];
}

/** A GetAnomalies request reduced the same way. */
interface AnomalyShape {
  readonly kind: 'anomalies';
  /** Account, region and every request field but the window, the page token and MaxResults. */
  readonly family: string;
  readonly start: string;
  /** Inclusive, as GetAnomalies' EndDate. */
  readonly end: string;
  readonly maxResults: boolean;
}

type Shape = CostShape | AnomalyShape;

/**
 * The stored answers that may serve narrower requests, by cache key, and the same keys by family. Bounded like the
 * cache; an entry whose answer the cache has since dropped (expired, evicted, too large to keep) is forgotten by the
 * first lookup that meets it.
 */
export class DerivationIndex {
  private readonly sources: LRUCache<string, Shape>;
  private readonly families = new Map<string, Set<string>>();

  constructor(maxEntries: number) {
    this.sources = new LRUCache<string, Shape>({
      max: Math.max(1, maxEntries),
      dispose: (shape, key) => {
        const keys = this.families.get(shape.family);
        keys?.delete(key);
        if (keys?.size === 0) this.families.delete(shape.family);
      },
    });
  }

  /** Remembers an answer just stored under `key`, when it is a complete answer some narrower request could use. */
  remember(
    key: string,
    accountId: string,
    region: string,
    operation: string,
    input: unknown,
    output: unknown,
  ): void {
    const shape = shapeOf(accountId, region, operation, input);
    if (!shape || (output as { NextPageToken?: string } | undefined)?.NextPageToken) return;
    this.sources.set(key, shape);
    let keys = this.families.get(shape.family);
    if (!keys) this.families.set(shape.family, (keys = new Set()));
    keys.add(key);
  }

  /**
   * An exact answer to `input` built from a stored answer, with that answer's fetch time (the newest that serves),
   * or undefined. `lookup` reads the cache and so honours its TTL.
   */
  derive(
    accountId: string,
    region: string,
    operation: string,
    input: unknown,
    lookup: (key: string) => CachedAnswer | undefined,
  ): CachedAnswer | undefined {
    const target = shapeOf(accountId, region, operation, input);
    const keys = target && this.families.get(target.family);
    if (!target || !keys) return undefined;
    let best: CachedAnswer | undefined;
    for (const key of [...keys]) {
      const source = this.sources.peek(key);
      if (!source || !covers(source, target)) continue;
      const stored = lookup(key);
      if (!stored) {
        this.sources.delete(key);
        continue;
      }
      if (best && best.fetchedAt >= stored.fetchedAt) continue;
      const value =
        source.kind === 'costs'
          ? deriveCosts(source, stored.value as CostOutput, target as CostShape)
          : deriveAnomalies(stored.value as AnomaliesOutput, target as AnomalyShape);
      if (value) best = { value, fetchedAt: stored.fetchedAt };
    }
    return best;
  }

  /** Stored answers currently indexed. */
  get size(): number {
    return this.sources.size;
  }
}

function shapeOf(accountId: string, region: string, operation: string, input: unknown): Shape | undefined {
  if (operation === COSTS) return costShape(accountId, region, input as CostInput | undefined);
  if (operation === ANOMALIES) return anomalyShape(accountId, region, input as AnomaliesInput | undefined);
  return undefined;
}

function costShape(accountId: string, region: string, input: CostInput | undefined): CostShape | undefined {
  if (!input || input.NextPageToken) return undefined;
  const { TimePeriod, Granularity, GroupBy, Metrics, NextPageToken: _token, ...rest } = input;
  if (Granularity !== 'DAILY' && Granularity !== 'MONTHLY') return undefined;
  const start = TimePeriod?.Start;
  const end = TimePeriod?.End;
  if (!start || !end || !ISO_DAY.test(start) || !ISO_DAY.test(end) || end <= start) return undefined;
  if (!Metrics || Metrics.length === 0) return undefined;
  return {
    kind: 'costs',
    // cacheKey normalises the filter as the cache does (clause and value order), and keeps operations apart.
    family: cacheKey(accountId, region, COSTS, rest),
    start,
    end,
    granularity: Granularity,
    groupBy: GroupBy && GroupBy.length > 0 ? stableStringify(GroupBy) : '',
    metrics: [...new Set(Metrics)].sort(),
  };
}

function anomalyShape(
  accountId: string,
  region: string,
  input: AnomaliesInput | undefined,
): AnomalyShape | undefined {
  if (!input || input.NextPageToken) return undefined;
  const { DateInterval, NextPageToken: _token, MaxResults, ...rest } = input;
  const start = DateInterval?.StartDate;
  const end = DateInterval?.EndDate;
  if (!start || !end || !ISO_DAY.test(start) || !ISO_DAY.test(end) || end < start) return undefined;
  return {
    kind: 'anomalies',
    family: cacheKey(accountId, region, ANOMALIES, rest),
    start,
    end,
    maxResults: MaxResults !== undefined,
  };
}

/** Whether `source`'s request is broad enough for `target`, before reading its answer. */
function covers(source: Shape, target: Shape): boolean {
  if (target.start < source.start || target.end > source.end) return false;
  if (target.kind === 'anomalies') return source.kind === 'anomalies' && !target.maxResults;
  if (source.kind === 'anomalies') return false;
  if (source.granularity !== target.granularity) return false;
  if (target.groupBy !== '') {
    return target.groupBy === source.groupBy && sameList(target.metrics, source.metrics);
  }
  if (!target.metrics.every((m) => source.metrics.includes(m))) return false;
  return source.groupBy === '' || target.metrics.every((m) => ADDITIVE_METRICS.has(m));
}

function deriveCosts(source: CostShape, answer: CostOutput, target: CostShape): CostOutput | undefined {
  if (!answer || answer.NextPageToken) return undefined;
  const results = answer.ResultsByTime ?? [];
  const expected = bucketStarts(source);
  const byStart = new Map<string, ResultByTime>();
  for (const r of results) {
    const start = r.TimePeriod?.Start;
    if (!start || byStart.has(start)) return undefined;
    byStart.set(start, r);
  }
  if (byStart.size !== expected.length || !expected.every((s) => byStart.has(s))) return undefined;
  const edges = new Set([...expected, source.end]);
  if (!edges.has(target.start) || !edges.has(target.end)) return undefined;
  const picked = expected.filter((s) => s >= target.start && s < target.end).map((s) => byStart.get(s)!);

  if (target.groupBy !== '') {
    const values = new Set(picked.flatMap((r) => (r.Groups ?? []).flatMap((g) => g.Keys ?? [])));
    return {
      ResultsByTime: picked,
      ...(answer.GroupDefinitions ? { GroupDefinitions: answer.GroupDefinitions } : {}),
      DimensionValueAttributes: (answer.DimensionValueAttributes ?? []).filter(
        (a) => a.Value !== undefined && values.has(a.Value),
      ),
    };
  }
  if (source.groupBy === '') {
    // Dropping metrics asked alongside leaves each remaining total as it was; a missing one is not invented.
    if (!picked.every((r) => target.metrics.every((m) => r.Total?.[m] !== undefined))) return undefined;
    return {
      ResultsByTime: picked.map((r) => ({ ...r, Total: pick(r.Total, target.metrics) })),
      DimensionValueAttributes: [],
    };
  }
  const units = unitsOf(results, target.metrics);
  if (!units) return undefined;
  const totals: ResultByTime[] = [];
  for (const r of picked) {
    const total = totalOf(r.Groups ?? [], target.metrics, units);
    if (!total) return undefined;
    const { Groups: _groups, Total: _total, ...rest } = r;
    totals.push({ ...rest, Total: total, Groups: [] });
  }
  return { ResultsByTime: totals, DimensionValueAttributes: [] };
}

function deriveAnomalies(answer: AnomaliesOutput, target: AnomalyShape): AnomaliesOutput | undefined {
  if (!answer || answer.NextPageToken) return undefined;
  const anomalies = answer.Anomalies ?? [];
  const ends = anomalies.map((a) => a.AnomalyEndDate?.slice(0, 10));
  if (!ends.every((e) => e !== undefined && ISO_DAY.test(e))) return undefined;
  return {
    Anomalies: anomalies.filter((_a, i) => ends[i]! >= target.start && ends[i]! <= target.end),
  };
}

/** The bucket starts Cost Explorer answers for a range: every day, or the range cut at each month's 1st. */
function bucketStarts(shape: CostShape): string[] {
  const starts: string[] = [];
  const end = Date.parse(`${shape.end}T00:00:00Z`);
  let t = Date.parse(`${shape.start}T00:00:00Z`);
  while (t < end) {
    starts.push(new Date(t).toISOString().slice(0, 10));
    const d = new Date(t);
    t = shape.granularity === 'DAILY' ? t + DAY_MS : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return starts;
}

/** The unit of each metric across the answer's groups, or undefined when one is missing or they disagree. */
function unitsOf(
  results: readonly ResultByTime[],
  metrics: readonly string[],
): Map<string, string> | undefined {
  const units = new Map<string, string>();
  for (const r of results) {
    for (const g of r.Groups ?? []) {
      for (const m of metrics) {
        const unit = g.Metrics?.[m]?.Unit;
        if (unit === undefined) continue;
        if (units.has(m) && units.get(m) !== unit) return undefined;
        units.set(m, unit);
      }
    }
  }
  // Without one group carrying the metric, the unit of an all-zero total is unknown: ask Cost Explorer.
  return metrics.every((m) => units.has(m)) ? units : undefined;
}

/** The exact sum of each metric over the groups, written as Cost Explorer writes an ungrouped Total. */
function totalOf(
  groups: readonly Group[],
  metrics: readonly string[],
  units: ReadonlyMap<string, string>,
): Record<string, MetricValue> | undefined {
  const total: Record<string, MetricValue> = {};
  for (const m of metrics) {
    let sum: Amount = amount(0);
    for (const g of groups) {
      const value = g.Metrics?.[m];
      if (!value) continue;
      // An amount that cannot be read exactly is not summed into a figure presented as Cost Explorer's.
      if (value.Amount === undefined || !DECIMAL.test(value.Amount)) return undefined;
      sum = sum.plus(amount(value.Amount));
    }
    total[m] = { Amount: sum.toFixed(), Unit: units.get(m)! };
  }
  return total;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function pick(
  total: Record<string, MetricValue> | undefined,
  metrics: readonly string[],
): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const m of metrics) if (total?.[m]) out[m] = total[m];
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
