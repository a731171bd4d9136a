import type { UsageMeter } from '../aws/gateway';

/**
 * The query engine interface: one parameterised SQL statement in, rows of strings out, with what reading them
 * cost. Two engines implement it (athena.ts, duckdb.ts); the SQL they receive comes only from sql.ts, which emits
 * the subset both accept and never pastes a caller's value into the text.
 */

/** A value bound to one `?` placeholder, in order. Only two kinds: the SQL casts where it needs another type. */
export type QueryParam =
  { readonly kind: 'string'; readonly value: string } | { readonly kind: 'integer'; readonly value: number };

/** A query as sql.ts builds it. */
export interface BuiltQuery {
  /** SQL with `?` placeholders and the table written as {@link TABLE_TOKEN}, which each engine replaces. */
  readonly sql: string;
  readonly params: readonly QueryParam[];
  /** Which dataset the query reads: the FOCUS cost export or the Storage Lens export. */
  readonly dataset: 'cost' | 'storage';
  /** The partitions the query's predicate admits (billing periods `YYYY-MM`, or report dates `YYYY-MM-DD`). */
  readonly partitions: readonly string[];
  /** The columns the query reads, as written in the data (for the embedded engine's bytes figure). */
  readonly columns: readonly string[];
}

/** Where the table name goes in {@link BuiltQuery.sql}; never user input. */
export const TABLE_TOKEN = '{{table}}';

/** Rows as the engines return them: every value a string (decimals in plain notation) or null. */
export type Row = Readonly<Record<string, string | null>>;

export interface QueryResult {
  readonly engine: EngineName;
  readonly rows: readonly Row[];
  /** Bytes the engine read (Athena: DataScannedInBytes; DuckDB: the Parquet column chunks the query needed). */
  readonly bytesScanned: number;
  /** Athena's query execution id, for the operator's logs and the console. */
  readonly queryId?: string;
}

export type EngineName = 'athena' | 'duckdb';

export interface RunOptions {
  /** Fires shortly before the tool deadline: the engine stops the query and throws a QueryError of kind `stopped`. */
  readonly signal: AbortSignal;
  /** Counts the AWS requests the engine makes (Athena), as for every other tool. */
  readonly meter?: UsageMeter;
}

export interface QueryEngine {
  readonly name: EngineName;
  /** Whether the dataset is configured (a table or a folder); a tool answers "not configured" otherwise. */
  has(dataset: BuiltQuery['dataset']): boolean;
  run(query: BuiltQuery, options: RunOptions): Promise<QueryResult>;
  /** A stable text naming where the dataset lives, for cache keys (two configurations never share answers). */
  location(dataset: BuiltQuery['dataset']): string;
}

export type QueryFailureKind =
  /** The engine rejected or failed the query; the message carries its reason in words. */
  | 'failed'
  /** The query was still running at the tool deadline and was stopped. */
  | 'stopped'
  /** The workgroup's per-query bytes-scanned cutoff cancelled it. */
  | 'cutoff'
  /** The data is not where the configuration says (no folder, no table, no files). */
  | 'no-data';

/** A query that did not produce rows, with a message a user can act on. */
export class QueryError extends Error {
  constructor(
    readonly kind: QueryFailureKind,
    message: string,
    readonly queryId?: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Athena's price: $5 per TB (10^12 bytes) scanned. */
export const USD_PER_TB_SCANNED = 5;
