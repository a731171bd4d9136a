import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { awsError, type FakeAws } from './fake-aws';

/**
 * Amazon Athena for the fake AWS endpoint (awsJson1_1, X-Amz-Target AmazonAthena.*): StartQueryExecution runs the
 * received SQL in DuckDB over local Parquet folders, with its ExecutionParameters substituted for the `?`s as
 * Athena does (each one an SQL literal, verbatim); GetQueryExecution reports the state and DataScannedInBytes;
 * GetQueryResults pages the rows (header row first, as Athena does); StopQueryExecution cancels. A query can be
 * made slow, made to fail with a reason, or made to hang until it is stopped.
 */

export interface FakeAthenaTable {
  /** `cost`: Hive folders `data/BILLING_PERIOD=…/*.parquet`; `storage`: `dt=…/*`. */
  readonly kind: 'cost' | 'storage';
  readonly folder: string;
}

interface Execution {
  readonly id: string;
  readonly sql: string;
  readonly parameters: readonly string[];
  readonly workGroup: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  scanned: number;
  columns: string[];
  rows: (string | null)[][];
}

/** What the next query does instead of running normally. */
export type AthenaBehaviour =
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'hang' };

export class FakeAthena {
  readonly executions = new Map<string, Execution>();
  /** Rows per GetQueryResults page at most (Athena: 1000), small to make tests read several pages. */
  pageSize = 1000;
  /** Behaviours for the next queries, consumed in order. */
  readonly next: AthenaBehaviour[] = [];
  private connection: Promise<DuckDBConnection> | undefined;

  constructor(
    private readonly database: string,
    private readonly tables: Readonly<Record<string, FakeAthenaTable>>,
  ) {}

  /** Installs the Athena handlers on the fake endpoint (again after each `fake.reset()`). */
  install(fake: FakeAws): void {
    fake.on('athena:StartQueryExecution', (body) => this.start(body));
    fake.on('athena:GetQueryExecution', (body) => {
      const e = this.executions.get(String(body.QueryExecutionId));
      if (!e) return awsError('InvalidRequestException', 'QueryExecution not found');
      return {
        QueryExecution: {
          QueryExecutionId: e.id,
          Query: e.sql,
          WorkGroup: e.workGroup,
          Status: { State: e.state, ...(e.reason ? { StateChangeReason: e.reason } : {}) },
          Statistics: { DataScannedInBytes: e.scanned },
        },
      };
    });
    fake.on('athena:GetQueryResults', (body) => this.results(body));
    fake.on('athena:StopQueryExecution', (body) => {
      const e = this.executions.get(String(body.QueryExecutionId));
      if (e && (e.state === 'RUNNING' || e.state === 'QUEUED')) {
        e.state = 'CANCELLED';
        e.reason = 'Query was cancelled by the user';
      }
      return {};
    });
  }

  private start(body: Record<string, unknown>): unknown {
    const sql = String(body.QueryString ?? '');
    const parameters = (body.ExecutionParameters as string[] | undefined) ?? [];
    const database = (body.QueryExecutionContext as { Database?: string } | undefined)?.Database;
    if (database !== this.database)
      return awsError('InvalidRequestException', `Database ${database} not found`);
    const id = randomUUID();
    const execution: Execution = {
      id,
      sql,
      parameters,
      workGroup: String(body.WorkGroup ?? 'primary'),
      state: 'QUEUED',
      scanned: 0,
      columns: [],
      rows: [],
    };
    this.executions.set(id, execution);
    const behaviour = this.next.shift();
    if (behaviour?.kind === 'fail') {
      execution.state = 'FAILED';
      execution.reason = behaviour.reason;
    } else if (behaviour?.kind === 'hang') {
      execution.state = 'RUNNING';
    } else {
      execution.state = 'RUNNING';
      const delay = behaviour?.kind === 'slow' ? behaviour.ms : 0;
      setTimeout(() => void this.execute(execution), delay).unref();
    }
    return { QueryExecutionId: id };
  }

  private async execute(e: Execution): Promise<void> {
    try {
      let text = substitute(e.sql, e.parameters);
      let scanned = 0;
      for (const [name, table] of Object.entries(this.tables)) {
        const quoted = `"${this.database}"."${name}"`;
        if (!text.includes(quoted)) continue;
        text = text.split(quoted).join(source(table));
        scanned += partitionBytes(table, e.parameters);
      }
      const connection = await (this.connection ??= DuckDBInstance.create(':memory:').then((i) =>
        i.connect(),
      ));
      const reader = await connection.runAndReadAll(text);
      if (e.state !== 'RUNNING') return;
      e.columns = reader.columnNames();
      e.rows = (reader.getRowsJson() as unknown[][]).map((r) =>
        r.map((v) => (v === null ? null : String(v))),
      );
      e.scanned = scanned;
      e.state = 'SUCCEEDED';
    } catch (err) {
      e.state = 'FAILED';
      e.reason = `GENERIC_INTERNAL_ERROR: ${(err as Error).message.split('\n')[0]}`;
    }
  }

  private results(body: Record<string, unknown>): unknown {
    const e = this.executions.get(String(body.QueryExecutionId));
    if (!e) return awsError('InvalidRequestException', 'QueryExecution not found');
    if (e.state !== 'SUCCEEDED') {
      return awsError('InvalidRequestException', `Query has not yet finished. Current state: ${e.state}`);
    }
    const size = Math.min(Number(body.MaxResults ?? 1000), this.pageSize);
    // The header row counts as the first row of the first page, as in Athena.
    const all = [e.columns, ...e.rows];
    const from = body.NextToken ? Number(body.NextToken) : 0;
    const page = all.slice(from, from + size);
    const next = from + size < all.length ? String(from + size) : undefined;
    return {
      ResultSet: {
        Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: { ColumnInfo: e.columns.map((c) => ({ Name: c, Type: 'varchar' })) },
      },
      ...(next ? { NextToken: next } : {}),
    };
  }

  /** StopQueryExecution was called for these ids. */
  cancelled(): string[] {
    return [...this.executions.values()].filter((e) => e.state === 'CANCELLED').map((e) => e.id);
  }

  async close(): Promise<void> {
    const c = await this.connection;
    c?.closeSync();
  }
}

/** Replaces each `?` outside string literals with the next parameter, verbatim, as Athena applies them. */
export function substitute(sql: string, parameters: readonly string[]): string {
  let out = '';
  let inString = false;
  let next = 0;
  for (const ch of sql) {
    if (ch === "'") inString = !inString;
    if (ch === '?' && !inString) {
      if (next >= parameters.length) throw new Error('more ? placeholders than ExecutionParameters');
      out += parameters[next++];
    } else out += ch;
  }
  if (next !== parameters.length) throw new Error('more ExecutionParameters than ? placeholders');
  return out;
}

function source(table: FakeAthenaTable): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return table.kind === 'cost'
    ? `read_parquet(${q(path.join(table.folder, 'data', 'BILLING_PERIOD=*', '*.parquet'))}, hive_partitioning = true, ` +
        `hive_types = {'BILLING_PERIOD': VARCHAR}, union_by_name = true)`
    : `read_parquet(${q(path.join(table.folder, 'dt=*', '*'))}, hive_partitioning = true, hive_types = {'dt': VARCHAR})`;
}

/** The size of the files of the partitions the parameters name: a stand-in for what Athena reports scanning. */
function partitionBytes(table: FakeAthenaTable, parameters: readonly string[]): number {
  const names = new Set(parameters.map((p) => p.replace(/^'|'$/g, '')));
  const root = table.kind === 'cost' ? path.join(table.folder, 'data') : table.folder;
  const prefix = table.kind === 'cost' ? 'BILLING_PERIOD=' : 'dt=';
  let total = 0;
  for (const dir of readdirSync(root)) {
    if (!dir.startsWith(prefix) || !names.has(dir.slice(prefix.length))) continue;
    for (const f of readdirSync(path.join(root, dir))) total += statSync(path.join(root, dir, f)).size;
  }
  return total;
}
