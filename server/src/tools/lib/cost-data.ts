import { AccessRefused, describeScope, type AccessScope } from '../../access/policy';
import Decimal from 'decimal.js';
import { z } from 'zod';
import { ToolInputError } from '../../billing/errors';
import { amount, exact } from '../../billing/money';
import {
  engineFor,
  runQuery,
  USD_PER_TB_SCANNED,
  type BuiltQuery,
  type CachedQueryResult,
} from '../../query';
import type { QueryEngine } from '../../query/engine';
import {
  billingPeriods,
  checkAccountId,
  GROUPABLE_COLUMNS,
  probeQuery,
  SCHEMA_LABEL,
  type CostDataSchema,
  type Range,
} from '../../query/sql';
import { monthStart, toIsoDate, utcDay } from '../../billing/dates';
import { accountReference } from './params';
import type { ToolContext } from './types';

/** Parameters and answer parts the cost-data tools share (query-cost-data, get-top-resources, get-storage-metrics). */

export const costTargetAccountId = accountReference('target_account_id')
  .optional()
  .describe("Only this account's line items (id or name; SubAccountId): one query, no role assumed.");

export const costTargetAccountIds = z
  .array(accountReference('target_account_ids'))
  .max(100)
  .optional()
  .describe('Only these accounts (ids or names; SubAccountId IN the list), in one query.');

export const costFilters = z
  .array(
    z.object({
      // tag:<key>, and a tag key is at most 128 characters (AWS tagging).
      column: z
        .string()
        .max(132, 'filters column: at most 132 characters (tag: and a 128-character tag key)'),
      values: z.array(z.string().max(1024)).min(1).max(100),
      exclude: z.boolean().optional(),
    }),
  )
  .max(10)
  .optional()
  .describe(`ANDed clauses {column (${GROUPABLE_COLUMNS[0]}, … or tag:<key>), values ("" = none), exclude}.`);

export const includeCredits = z.boolean().optional().describe('true: count credits.');

export const costRefresh = z.boolean().optional().describe('true: skip the cache ($5 per TB scanned).');

/** What every cost-data answer lists of its query's cost (also engine, line_items, bytes_scanned, from_cache…). */
export const costDataOutputShape = {
  scan_cost_usd: z.string(),
};

/** The cost table's layout of the configured source (the engine is configured when this is asked). */
export function costSchema(ctx: ToolContext): CostDataSchema {
  return ctx.config.costData?.schema ?? 'focus';
}

/** How to configure what is missing, as one answer a user or an operator can act on. */
export function notConfigured(dataset: 'cost' | 'storage', ctx: ToolContext): ToolInputError {
  const data = ctx.config.costData;
  if (dataset === 'cost') {
    return new ToolInputError(
      'Cost data (FOCUS 1.2 export) is not configured on this server' +
        (data ? ` for the ${data.engine} engine` : '') +
        '. To enable it: deploy with -c costDataExport=true (a FOCUS 1.2 Data Export from the management account, ' +
        'first data within 24 hours) or -c costDataTable=<database>.<table> -c athenaWorkgroup=<workgroup> for an ' +
        'existing table (with -c costDataSchema=cur2 for a CUR 2.0 one); or run locally ' +
        'with COST_DATA_PATH=<folder holding data/BILLING_PERIOD=YYYY-MM/> (duckdb), or COST_DATA_ENGINE=athena ' +
        'with ATHENA_DATABASE, ATHENA_TABLE and ATHENA_WORKGROUP (COST_DATA_SCHEMA=cur2 for CUR 2.0 data). Until then, ' +
        'get-cost-and-usage answers from ' +
        'Cost Explorer.',
    );
  }
  return new ToolInputError(
    'S3 Storage Lens metrics are not configured on this server' +
      (data ? ` for the ${data.engine} engine` : '') +
      '. To enable them: deploy with -c storageLens=true (an organization-level Storage Lens configuration with a ' +
      'daily metrics export, first data within 48 hours), or set STORAGE_LENS_PATH=<folder holding ' +
      'dt=YYYY-MM-DD/> (duckdb) or STORAGE_LENS_TABLE (athena, in ATHENA_DATABASE).',
  );
}

/** The engine for a dataset, or the "not configured" answer. */
export function costEngine(dataset: 'cost' | 'storage', ctx: ToolContext): QueryEngine {
  const data = ctx.config.costData;
  if (!data) throw notConfigured(dataset, ctx);
  const engine = engineFor(data, ctx.gateway);
  if (!engine.has(dataset)) throw notConfigured(dataset, ctx);
  return engine;
}

/**
 * The accounts to keep (SubAccountId IN …; empty = every account): target_account_id and target_account_ids
 * together, de-duplicated, within the caller's scope. A FOCUS table covers every account of the organization, so
 * for a scoped caller this is where the scope is applied: asked accounts outside it are refused, and no accounts
 * asked means the scope's own accounts.
 */
export function accountList(
  args: { target_account_id?: string; target_account_ids?: string[] },
  scope: AccessScope,
): string[] {
  const ids = [
    ...new Set(
      [...(args.target_account_id ? [args.target_account_id] : []), ...(args.target_account_ids ?? [])].map(
        (id, i) =>
          checkAccountId(id, i === 0 && args.target_account_id ? 'target_account_id' : 'target_account_ids'),
      ),
    ),
  ];
  if (scope.accounts === '*') return ids;
  const allowed = scope.accounts;
  if (allowed.length === 0) {
    throw new AccessRefused(`Refused: your access is limited to ${describeScope(scope)}.`);
  }
  const outside = ids.filter((id) => !allowed.includes(id));
  if (outside.length > 0) {
    throw new AccessRefused(
      `Refused: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside your access, which is limited ` +
        `to ${describeScope(scope)}.`,
    );
  }
  return ids.length > 0 ? ids : [...allowed];
}

/** At most this many billing periods per question: the partitions one query may read. */
export const MAX_BILLING_PERIODS = 36;

export function checkSpan(periods: readonly string[]): void {
  if (periods.length > MAX_BILLING_PERIODS) {
    throw new ToolInputError(
      `The range covers ${periods.length} billing periods; ask about at most ${MAX_BILLING_PERIODS} at once.`,
    );
  }
}

/** Runs a query through the cache with the call's signal and meter. */
export function query(engine: QueryEngine, built: BuiltQuery, ctx: ToolContext): Promise<CachedQueryResult> {
  return runQuery(engine, ctx.gateway, built, { signal: ctx.signal, meter: ctx.meter, refresh: ctx.refresh });
}

/** `YYYY-MM-DD HH:MM:SS[.fff]` as either engine prints a timestamp → ISO 8601 UTC. */
export function isoInstant(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  return `${text.slice(0, 10)}T${text.slice(11, 19) || '00:00:00'}Z`;
}

/** The newest of several printed timestamps (they compare as text: the same fixed layout). */
export function newest(values: readonly (string | null | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const v of values) if (v && (best === undefined || v.slice(0, 19) > best.slice(0, 19))) best = v;
  return isoInstant(best);
}

/** What scanning `bytes` costs on Athena, exact ($5 per 10^12 bytes). */
export function scanCost(bytes: number): string {
  return new Decimal(bytes).times(USD_PER_TB_SCANNED).div(1e12).toFixed();
}

/** A decimal string as the engines print it (`12.3400000000`) in its shortest exact form (`12.34`). */
export function decimalText(value: string | null | undefined): string {
  return exact(amount(value ?? '0'));
}

/** The shared answer fields and the sentence that states them. */
export function provenance(
  result: CachedQueryResult,
  lineItems: string,
  freshness: { start?: string; end?: string },
  schema?: CostDataSchema,
): { text: string; data: Record<string, unknown> } {
  const cost = scanCost(result.bytesScanned);
  const scanned = result.fromCache
    ? 'answered from the cache (nothing scanned)'
    : `${result.bytesScanned.toLocaleString('en-US')} bytes scanned` +
      (result.engine === 'athena'
        ? ` (${cost} USD at $5/TB${result.queryId ? `, query ${result.queryId}` : ''})`
        : ` (would cost ${cost} USD on Athena at $5/TB)`);
  return {
    text:
      `Engine ${result.engine}${schema ? `, ${SCHEMA_LABEL[schema]}` : ''}; ${scanned}; ${lineItems} line items ` +
      `behind the figures` +
      `${freshness.end ? `; data through ${freshness.end} (newest charge period read)` : ''}.`,
    data: {
      engine: result.engine,
      ...(schema ? { schema } : {}),
      line_items: lineItems,
      bytes_scanned: result.fromCache ? 0 : result.bytesScanned,
      scan_cost_usd: result.fromCache ? '0' : cost,
      from_cache: result.fromCache,
      data_freshness: {
        ...(freshness.start ? { newest_charge_period_start: freshness.start } : {}),
        ...(freshness.end ? { newest_charge_period_end: freshness.end } : {}),
      },
    },
  };
}

/** The period's billing months, for the "no data" answer. */
export function describeRange(range: Range): string {
  return `${range.start} to ${range.end} (end exclusive)`;
}

/**
 * Why a question found nothing: the range lies outside the data, or the export has not delivered yet. Looks at the
 * range's billing periods and the last three, reading two timestamp columns only, of `accountIds` when the answer is
 * for some accounts (a scoped caller's, or those asked for): periods holding only other accounts' rows stay unsaid.
 */
export async function noDataNote(
  engine: QueryEngine,
  range: Range,
  accountIds: readonly string[],
  ctx: ToolContext,
): Promise<string> {
  const today = utcDay(ctx.now);
  const recent = [-2, -1, 0].map((m) => toIsoDate(monthStart(today, m)).slice(0, 7));
  const periods = [...new Set([...billingPeriods(range), ...recent])].sort();
  const probe = await query(engine, probeQuery(periods, accountIds, costSchema(ctx)), ctx);
  const present = probe.rows
    .filter((r) => Number(r.line_items ?? 0) > 0)
    .map((r) => r.billing_period ?? '')
    .sort();
  if (present.length === 0) {
    const whose = accountIds.length ? ` of ${accountIds.join(', ')}` : '';
    return (
      `The export holds no data${whose} for ${periods[0]} to ${periods[periods.length - 1]}. A new Data Export ` +
      'delivers its first files within 24 hours of its creation and covers the current month from then on; check ' +
      "that it is delivering to the configured location (and, on Athena, that the table's location points at its " +
      'data/ folder).'
    );
  }
  const freshest = newest(probe.rows.map((r) => r.newest_end));
  return (
    `No line items match in ${describeRange(range)} (billing periods with data among those checked: ` +
    `${present.join(', ')}; newest charge period ends ${freshest}). Widen the range or the filters.`
  );
}
