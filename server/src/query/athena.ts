import type { AccountScope, AwsGateway, UsageMeter } from '../aws/gateway';
import { AwsCallError } from '../aws/errors';
import type { CostDataConfig } from '../config';
import {
  QueryError,
  TABLE_TOKEN,
  type BuiltQuery,
  type QueryEngine,
  type QueryParam,
  type QueryResult,
  type Row,
  type RunOptions,
} from './engine';

/** Athena runs in the server's own account with its own credentials: the export's table lives there. */
const OWN: AccountScope = { accountId: 'self', isOwn: true };

/** First poll after this long, then each wait 1.5× the last, at most {@link MAX_POLL_MS}. */
const FIRST_POLL_MS = 200;
const MAX_POLL_MS = 2_000;
/** GetQueryResults' page size limit. */
const PAGE_SIZE = 1000;
/** How long StopQueryExecution may take once the deadline has fired (its own budget: the tool's is spent). */
const STOP_TIMEOUT_MS = 3_000;

/**
 * One ExecutionParameters value: an SQL literal as written. Athena substitutes it for its `?` verbatim, so a string
 * carries its own quotes and every quote inside is doubled, or the value would end its literal and become SQL.
 */
export function athenaLiteral(param: QueryParam): string {
  if (param.kind === 'integer') {
    if (!Number.isSafeInteger(param.value)) throw new Error(`not an integer parameter: ${param.value}`);
    return String(param.value);
  }
  return `'${param.value.replace(/'/g, "''")}'`;
}

/** Athena's own words, trimmed to what a user needs (no request ids, one line). */
function reasonText(reason: string | undefined): string {
  return (reason ?? 'no reason given').replace(/\s+/g, ' ').trim().slice(0, 400);
}

/**
 * The Athena engine: StartQueryExecution with ExecutionParameters (values never pasted into the text), then
 * GetQueryExecution polled with backoff until the query ends or the tool deadline nears (then StopQueryExecution,
 * and the answer says so), then GetQueryResults page by page. Every call goes through the gateway: the standard
 * credentials chain and endpoint overrides apply, the calls are counted, and only catalogued operations run.
 */
export class AthenaEngine implements QueryEngine {
  readonly name = 'athena' as const;

  constructor(
    private readonly config: CostDataConfig,
    private readonly gateway: AwsGateway,
  ) {}

  has(dataset: BuiltQuery['dataset']): boolean {
    return (dataset === 'cost' ? this.config.athenaTable : this.config.storageLensTable) !== undefined;
  }

  location(dataset: BuiltQuery['dataset']): string {
    return `athena:${this.config.athenaWorkgroup}:${this.table(dataset)}`;
  }

  private table(dataset: BuiltQuery['dataset']): string {
    const table = dataset === 'cost' ? this.config.athenaTable : this.config.storageLensTable;
    return `"${this.config.athenaDatabase}"."${table}"`;
  }

  async run(query: BuiltQuery, options: RunOptions): Promise<QueryResult> {
    const { signal, meter } = options;
    if (!this.has(query.dataset)) throw new QueryError('no-data', `No ${query.dataset} table is configured.`);
    const call = { account: OWN, signal, meter };
    const started = await this.gateway
      .call(
        'athena:StartQueryExecution',
        {
          QueryString: query.sql.split(TABLE_TOKEN).join(this.table(query.dataset)),
          QueryExecutionContext: { Database: this.config.athenaDatabase, Catalog: 'AwsDataCatalog' },
          WorkGroup: this.config.athenaWorkgroup,
          ...(query.params.length ? { ExecutionParameters: query.params.map(athenaLiteral) } : {}),
        },
        call,
      )
      .catch((err: unknown) => {
        throw explain(err, signal);
      });
    const id = started.QueryExecutionId;
    if (!id) throw new QueryError('failed', 'Athena started the query but returned no query execution id.');

    let wait = FIRST_POLL_MS;
    let scanned = 0;
    for (;;) {
      if (!(await sleep(wait, signal))) return this.stop(id, scanned, meter);
      wait = Math.min(MAX_POLL_MS, Math.round(wait * 1.5));
      let execution;
      try {
        execution = (await this.gateway.call('athena:GetQueryExecution', { QueryExecutionId: id }, call))
          .QueryExecution;
      } catch (err) {
        if (signal.aborted) return this.stop(id, scanned, meter);
        throw explain(err, signal, id);
      }
      scanned = Number(execution?.Statistics?.DataScannedInBytes ?? scanned);
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = reasonText(
          execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage,
        );
        if (/bytes scanned limit|BytesScannedCutoff/i.test(reason)) {
          throw new QueryError(
            'cutoff',
            `Athena cancelled the query: it would scan more than the workgroup's per-query limit ` +
              `(${this.config.athenaWorkgroup}: ${reason}). Ask for a shorter period or fewer billing months, or ` +
              `raise the workgroup's BytesScannedCutoffPerQuery.`,
            id,
          );
        }
        throw new QueryError(
          'failed',
          `Athena ${state === 'FAILED' ? 'could not run' : 'cancelled'} the query (${id}): ${reason}`,
          id,
        );
      }
    }

    const rows: Row[] = [];
    let columns: string[] | undefined;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.gateway.call(
          'athena:GetQueryResults',
          { QueryExecutionId: id, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) },
          call,
        );
      } catch (err) {
        if (signal.aborted) {
          throw new QueryError(
            'stopped',
            `The query finished but the tool deadline passed while its results were read (${rows.length} rows ` +
              `read of more). Ask again: narrower groups or a smaller limit read fewer rows.`,
            id,
          );
        }
        throw explain(err, signal, id);
      }
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const data = page.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names.
      for (const [i, row] of data.entries()) {
        if (token === undefined && i === 0) continue;
        const values = row.Data ?? [];
        rows.push(Object.fromEntries(columns.map((c, j) => [c, values[j]?.VarCharValue ?? null])));
      }
      token = page.NextToken;
    } while (token);
    return { engine: this.name, rows, bytesScanned: scanned, queryId: id };
  }

  /** The deadline came while the query ran: stop it (Athena bills what it scanned so far) and say so. */
  private async stop(id: string, scanned: number, meter: UsageMeter | undefined): Promise<never> {
    let stopped = true;
    try {
      await this.gateway.call(
        'athena:StopQueryExecution',
        { QueryExecutionId: id },
        { account: OWN, meter, signal: AbortSignal.timeout(STOP_TIMEOUT_MS) },
      );
    } catch {
      stopped = false;
    }
    throw new QueryError(
      'stopped',
      `The Athena query (${id}) was still running at the tool deadline and ${stopped ? 'was stopped' : 'could not be stopped (it may run on)'}` +
        `${scanned ? ` after scanning ${scanned} bytes` : ''}. Ask for a shorter period or fewer groups, or ask again ` +
        `later: Athena may be queueing queries.`,
      id,
    );
  }
}

function explain(err: unknown, signal: AbortSignal, id?: string): Error {
  if (err instanceof AwsCallError) {
    if (err.kind === 'deadline' || signal.aborted) {
      return new QueryError('stopped', 'Athena did not answer before the tool deadline. Ask again.', id);
    }
    if (err.kind === 'invalid-request' || err.kind === 'not-found') {
      return new QueryError('failed', `Athena refused the query: ${err.message}`, id);
    }
    return err;
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Resolves true after `ms`, or false as soon as `signal` fires. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
