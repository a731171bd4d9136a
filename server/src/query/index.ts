import type { AwsGateway, UsageMeter } from '../aws/gateway';
import type { CostDataConfig } from '../config';
import { AthenaEngine } from './athena';
import { DuckDbEngine } from './duckdb';
import type { BuiltQuery, QueryEngine, QueryResult } from './engine';

export * from './engine';

const engines = new WeakMap<CostDataConfig, QueryEngine>();

/** The engine of a configuration, made once per process (DuckDB keeps its footers, Athena nothing). */
export function engineFor(config: CostDataConfig, gateway: AwsGateway): QueryEngine {
  let engine = engines.get(config);
  if (!engine) {
    engine = config.engine === 'athena' ? new AthenaEngine(config, gateway) : new DuckDbEngine(config);
    engines.set(config, engine);
  }
  return engine;
}

/** A query's result and whether it came from the answer cache. */
export interface CachedQueryResult extends QueryResult {
  readonly fromCache: boolean;
  /** When the rows were read (epoch ms): now, or when the cached answer was. */
  readonly fetchedAt: number;
}

/**
 * Runs a query through the gateway's answer cache, keyed by the engine, where the data lives, the SQL and its
 * parameters, so identical questions within the TTL scan nothing more and concurrent ones share one execution.
 * The bytes scanned are counted into the call's meter only when a query really ran.
 */
export async function runQuery(
  engine: QueryEngine,
  gateway: AwsGateway,
  query: BuiltQuery,
  options: { signal: AbortSignal; meter: UsageMeter; refresh: boolean },
): Promise<CachedQueryResult> {
  const key = `${engine.location(query.dataset)}|${query.sql}|${JSON.stringify(query.params)}`;
  const answer = await gateway.cached(
    key,
    () => engine.run(query, { signal: options.signal, meter: options.meter }),
    options,
  );
  if (!answer.fromCache) options.meter.recordScan(answer.value.bytesScanned);
  return { ...answer.value, fromCache: answer.fromCache, fetchedAt: answer.fetchedAt };
}
