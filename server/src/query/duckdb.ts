import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { CostDataConfig } from '../config';
import {
  QueryError,
  TABLE_TOKEN,
  type BuiltQuery,
  type QueryEngine,
  type QueryResult,
  type Row,
  type RunOptions,
} from './engine';

type DuckDbModule = typeof import('@duckdb/node-api');

let loaded: DuckDbModule | undefined;

/**
 * @duckdb/node-api is a native module: it cannot go into the esbuild bundle (marked external in
 * server/bundle-worker.js) and is required at run time, from node_modules, on first use. The container image ships
 * only the bundle and uses the athena engine; locally (`npm start`, tests) node_modules is there.
 */
function duckdb(): DuckDbModule {
  if (!loaded) {
    try {
      // A plain require, resolved when the first query runs: the bundle leaves it to Node (it is external).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@duckdb/node-api') as DuckDbModule;
    } catch {
      throw new QueryError(
        'failed',
        'The duckdb engine needs the @duckdb/node-api package, which this installation does not have (the ' +
          'container image ships without it). Run the server from the repository (npm start), or use ' +
          'COST_DATA_ENGINE=athena.',
      );
    }
  }
  return loaded;
}

/** An SQL string literal of an operator-configured path (never caller input). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

interface ColumnSizes {
  readonly mtimeMs: number;
  readonly size: number;
  /** Compressed bytes per top-level column, lower-cased. */
  readonly columns: ReadonlyMap<string, number>;
}

/**
 * The embedded engine: the same SQL over local Parquet files laid out as Data Exports deliver them
 * (`<COST_DATA_PATH>/data/BILLING_PERIOD=YYYY-MM/*.parquet`) and as Storage Lens exports do
 * (`<STORAGE_LENS_PATH>/dt=YYYY-MM-DD/<every file of the day>`). No AWS, no network. DuckDB prunes the
 * partitions from the bound predicate; the bytes figure is what the query had to read: the compressed column chunks
 * of its columns in its partitions' files (from each file's Parquet footer, remembered per file).
 */
export class DuckDbEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  private instance: Promise<DuckDBInstance> | undefined;
  private readonly footers = new Map<string, ColumnSizes>();

  constructor(private readonly config: CostDataConfig) {}

  has(dataset: BuiltQuery['dataset']): boolean {
    return (dataset === 'cost' ? this.config.costDataPath : this.config.storageLensPath) !== undefined;
  }

  location(dataset: BuiltQuery['dataset']): string {
    return `duckdb:${dataset === 'cost' ? this.config.costDataPath : this.config.storageLensPath}`;
  }

  private partitionDir(dataset: BuiltQuery['dataset'], partition: string): string {
    return dataset === 'cost'
      ? path.join(this.config.costDataPath!, 'data', `BILLING_PERIOD=${partition}`)
      : path.join(this.config.storageLensPath!, `dt=${partition}`);
  }

  private source(dataset: BuiltQuery['dataset']): string {
    if (dataset === 'cost') {
      const glob = path.join(this.config.costDataPath!, 'data', 'BILLING_PERIOD=*', '*.parquet');
      return (
        `read_parquet(${literal(glob)}, hive_partitioning = true, hive_types = {'BILLING_PERIOD': VARCHAR}, ` +
        `union_by_name = true)`
      );
    }
    // Every file of a day's folder: the export names them <uuid>.par (Parquet) and may split a day into several.
    const glob = path.join(this.config.storageLensPath!, 'dt=*', '*');
    return `read_parquet(${literal(glob)}, hive_partitioning = true, hive_types = {'dt': VARCHAR}, union_by_name = true)`;
  }

  private connect(): Promise<DuckDBConnection> {
    this.instance ??= duckdb()
      .DuckDBInstance.create(':memory:', { threads: '2' })
      .catch((err: unknown) => {
        this.instance = undefined;
        throw err;
      });
    return this.instance.then((i) => i.connect());
  }

  async run(query: BuiltQuery, options: RunOptions): Promise<QueryResult> {
    const { signal } = options;
    if (!this.has(query.dataset))
      throw new QueryError('no-data', `No ${query.dataset} folder is configured.`);
    const files = await this.partitionFiles(query);
    if (files.length === 0) return { engine: this.name, rows: [], bytesScanned: 0 };
    const module = duckdb();
    const connection = await this.connect();
    const stop = () => connection.interrupt();
    signal.addEventListener('abort', stop, { once: true });
    try {
      if (signal.aborted) throw signal.reason;
      const sql = query.sql.split(TABLE_TOKEN).join(this.source(query.dataset));
      const values = query.params.map((p) => p.value);
      const types = query.params.map((p) => (p.kind === 'integer' ? module.BIGINT : module.VARCHAR));
      const reader = await connection.runAndReadAll(sql, values, types);
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      return {
        engine: this.name,
        rows: rows.map(stringRow),
        bytesScanned: await this.bytesRead(files, query.columns),
      };
    } catch (err) {
      if (signal.aborted) {
        throw new QueryError('stopped', 'The query was still running at the tool deadline and was stopped.');
      }
      if (err instanceof QueryError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new QueryError(
        'failed',
        `DuckDB could not run the query: ${message.split('\n')[0].slice(0, 300)}`,
      );
    } finally {
      signal.removeEventListener('abort', stop);
      connection.closeSync();
    }
  }

  /** The files of the partitions the query admits (missing partitions simply have none). */
  private async partitionFiles(query: BuiltQuery): Promise<string[]> {
    const files: string[] = [];
    for (const partition of query.partitions) {
      const dir = this.partitionDir(query.dataset, partition);
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (query.dataset === 'cost' && !name.endsWith('.parquet')) continue;
        if (name.startsWith('.')) continue;
        files.push(path.join(dir, name));
      }
    }
    return files;
  }

  private async bytesRead(files: readonly string[], columns: readonly string[]): Promise<number> {
    const wanted = new Set(columns.map((c) => c.toLowerCase()));
    let total = 0;
    for (const file of files) {
      const sizes = await this.columnSizes(file);
      for (const [column, bytes] of sizes.columns) if (wanted.has(column)) total += bytes;
    }
    return total;
  }

  private async columnSizes(file: string): Promise<ColumnSizes> {
    const stat = await fs.stat(file);
    const known = this.footers.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known;
    const connection = await this.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT path_in_schema, SUM(total_compressed_size) AS bytes FROM parquet_metadata(${literal(file)}) GROUP BY 1`,
      );
      const columns = new Map<string, number>();
      for (const row of reader.getRowObjectsJson() as { path_in_schema: string; bytes: string }[]) {
        const top = row.path_in_schema.split(',')[0].trim().toLowerCase();
        columns.set(top, (columns.get(top) ?? 0) + Number(row.bytes));
      }
      const sizes = { mtimeMs: stat.mtimeMs, size: stat.size, columns };
      this.footers.set(file, sizes);
      return sizes;
    } finally {
      connection.closeSync();
    }
  }
}

function stringRow(row: Record<string, unknown>): Row {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || v === undefined ? null : String(v);
  return out;
}
