/**
 * The one SQL builder. It emits the subset of SQL both engines accept (Athena's Trino and DuckDB): CTEs, window
 * functions, `CAST(? AS TIMESTAMP)`, `TRY(Tags[?])`, GROUP BY ordinals. Nothing a caller sends is pasted into the
 * text: columns come from an allow-list (and must match a pattern as well, a second lock), every value — tag keys
 * included — is a bound parameter. Every query carries the partition predicate and reads only the columns it
 * needs, because on Athena scanned bytes are money.
 *
 * The tools speak FOCUS column names whatever the table is. A CUR 2.0 table (COST_DATA_SCHEMA=cur2) is read through
 * {@link CUR2_SOURCES}, one expression per FOCUS name; the only literals in the text are that mapping's own (map
 * keys, line item types), never a caller's.
 */
import { ToolInputError } from '../billing/errors';
import { TABLE_TOKEN, type BuiltQuery, type QueryParam } from './engine';

/** FOCUS columns a query may group or filter by (FOCUS 1.2 names, plus the AWS `x_` columns of FOCUS_1_2_AWS). */
export const GROUPABLE_COLUMNS = [
  'ServiceName',
  'ServiceCategory',
  'ServiceSubcategory',
  'RegionId',
  'RegionName',
  'AvailabilityZone',
  'SubAccountId',
  'SubAccountName',
  'BillingAccountId',
  'BillingAccountName',
  'ChargeCategory',
  'ChargeClass',
  'ChargeFrequency',
  'PricingCategory',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'CommitmentDiscountType',
  'CommitmentDiscountCategory',
  'CommitmentDiscountStatus',
  'CommitmentDiscountId',
  'SkuId',
  'ProviderName',
  'PublisherName',
  'InvoiceIssuerName',
  'x_UsageType',
  'x_Operation',
  'x_ServiceCode',
] as const;
export type GroupableColumn = (typeof GROUPABLE_COLUMNS)[number];

/** The cost metrics of FOCUS: invoice (billed), amortized (effective), on-demand list, and negotiated prices. */
export const COST_METRICS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const;
export type CostMetric = (typeof COST_METRICS)[number];

export const GRANULARITIES = ['NONE', 'MONTHLY', 'DAILY'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The table layouts the builder reads: the FOCUS 1.2 export (FOCUS_1_2_AWS), or a CUR 2.0 Data Export. */
export const COST_DATA_SCHEMAS = ['focus', 'cur2'] as const;
export type CostDataSchema = (typeof COST_DATA_SCHEMAS)[number];

/** How an answer names the table layout it read. */
export const SCHEMA_LABEL: Record<CostDataSchema, string> = {
  focus: 'FOCUS 1.2 table',
  cur2: 'CUR 2.0 table (COST_DATA_SCHEMA=cur2)',
};

/** Where a FOCUS column's values come from in a table: an SQL expression, and the table columns it reads. */
interface Source {
  readonly sql: string;
  readonly reads: readonly string[];
}

/** The FOCUS names a query may read: the groupable columns, the metrics, and the charge period. */
type FocusName = GroupableColumn | CostMetric | 'ChargePeriodStart' | 'ChargePeriodEnd';

const DECIMAL = 'DECIMAL(38,10)';
const column = (name: string): Source => ({ sql: name, reads: [name] });
const decimal = (name: string): string => `CAST(${name} AS ${DECIMAL})`;
/** A product attribute outside CUR 2.0's static columns lives in its `product` map; TRY: a missing key is NULL. */
const productAttribute = (key: string): Source => ({ sql: `TRY(product['${key}'])`, reads: ['product'] });

/**
 * Amortized cost of a CUR 2.0 line item, as AWS's CUR query library computes it: covered usage at the commitment's
 * effective cost, the commitment's unused part on its fee lines, and the purchases and negations that would count
 * the commitment twice at zero. Everything else at its unblended cost.
 */
const CUR2_AMORTIZED: Source = {
  sql:
    `CASE line_item_line_item_type` +
    ` WHEN 'SavingsPlanCoveredUsage' THEN ${decimal('savings_plan_savings_plan_effective_cost')}` +
    ` WHEN 'SavingsPlanRecurringFee' THEN ${decimal('savings_plan_total_commitment_to_date')} - ` +
    `${decimal('savings_plan_used_commitment')}` +
    ` WHEN 'SavingsPlanNegation' THEN ${decimal('0')}` +
    ` WHEN 'SavingsPlanUpfrontFee' THEN ${decimal('0')}` +
    ` WHEN 'DiscountedUsage' THEN ${decimal('reservation_effective_cost')}` +
    ` WHEN 'RIFee' THEN ${decimal('reservation_unused_amortized_upfront_fee_for_billing_period')} + ` +
    `${decimal('reservation_unused_recurring_fee')}` +
    // A reservation's upfront fee: amortized into its DiscountedUsage and RIFee lines already.
    ` WHEN 'Fee' THEN CASE WHEN COALESCE(reservation_reservation_a_r_n, '') <> '' THEN ${decimal('0')}` +
    ` ELSE ${decimal('line_item_unblended_cost')} END` +
    ` ELSE ${decimal('line_item_unblended_cost')} END`,
  reads: [
    'line_item_line_item_type',
    'line_item_unblended_cost',
    'reservation_effective_cost',
    'reservation_reservation_a_r_n',
    'reservation_unused_amortized_upfront_fee_for_billing_period',
    'reservation_unused_recurring_fee',
    'savings_plan_savings_plan_effective_cost',
    'savings_plan_total_commitment_to_date',
    'savings_plan_used_commitment',
  ],
};

/**
 * Each FOCUS name's CUR 2.0 expression (names from the Data Exports CUR 2.0 table dictionary). A name missing here
 * has no CUR 2.0 equivalent and is refused on such a table, naming the column and the schema.
 */
export const CUR2_SOURCES: Partial<Record<FocusName, Source>> = {
  ServiceName: productAttribute('product_name'),
  RegionId: column('product_region_code'),
  AvailabilityZone: column('line_item_availability_zone'),
  SubAccountId: column('line_item_usage_account_id'),
  SubAccountName: column('line_item_usage_account_name'),
  BillingAccountId: column('bill_payer_account_id'),
  BillingAccountName: column('bill_payer_account_name'),
  ResourceId: column('line_item_resource_id'),
  x_UsageType: column('line_item_usage_type'),
  x_Operation: column('line_item_operation'),
  x_ServiceCode: column('product_servicecode'),
  ChargePeriodStart: column('line_item_usage_start_date'),
  ChargePeriodEnd: column('line_item_usage_end_date'),
  BilledCost: { sql: decimal('line_item_unblended_cost'), reads: ['line_item_unblended_cost'] },
  EffectiveCost: CUR2_AMORTIZED,
  ListCost: { sql: decimal('pricing_public_on_demand_cost'), reads: ['pricing_public_on_demand_cost'] },
};

/** The CUR 2.0 line item type of credits (the FOCUS ChargeCategory `Credit`). */
const CUR2_CREDIT = 'Credit';
/** CUR 2.0 keeps user-defined tags in `resource_tags` under `user_<key>`. */
const CUR2_TAG_PREFIX = 'user_';

function isMetric(name: FocusName): name is CostMetric {
  return (COST_METRICS as readonly string[]).includes(name);
}

/** The FOCUS names the schema can read, for the refusal's list. */
function available(schema: CostDataSchema, names: readonly FocusName[]): FocusName[] {
  return schema === 'focus' ? [...names] : names.filter((n) => CUR2_SOURCES[n] !== undefined);
}

/** A FOCUS name's expression in the schema's table, or the refusal naming the column and the schema. */
function source(name: FocusName, schema: CostDataSchema, param: string): Source {
  if (schema === 'focus') return isMetric(name) ? { sql: decimal(name), reads: [name] } : column(name);
  const found = CUR2_SOURCES[name];
  if (found) return found;
  const alternatives = isMetric(name)
    ? available(schema, COST_METRICS).join(', ')
    : `${available(schema, GROUPABLE_COLUMNS).join(', ')}, or tag:<key>`;
  throw new ToolInputError(
    `${param}: ${name} has no equivalent in the CUR 2.0 table this server reads (COST_DATA_SCHEMA=cur2). ` +
      `Use ${alternatives}.`,
  );
}

/** Every identifier the builder writes must also look like one: a second lock behind the allow-list. */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** AWS tag keys: letters, digits, spaces and `_ . : / = + - @`, at most 128 characters. */
const TAG_KEY = /^[\p{L}\p{N} _.:/=+\-@]{1,128}$/u;
const TAG_PREFIX = 'tag:';

/** A group-by key: a FOCUS column or a tag. */
export type Dimension = { readonly column: GroupableColumn } | { readonly tag: string };

/** A filter clause as the tools take it. */
export interface FilterInput {
  readonly column: string;
  readonly values: readonly string[];
  readonly exclude?: boolean;
}

/** Parses `ServiceName` or `tag:team` against the allow-list and the patterns, or says what is allowed. */
export function parseDimension(text: string, param: string, schema: CostDataSchema = 'focus'): Dimension {
  if (text.startsWith(TAG_PREFIX)) {
    const key = text.slice(TAG_PREFIX.length);
    if (!TAG_KEY.test(key)) {
      throw new ToolInputError(
        `${param}: "${clip(text)}" is not a tag key this server accepts: after "tag:", 1-128 letters, digits, ` +
          `spaces and _ . : / = + - @.`,
      );
    }
    return { tag: key };
  }
  const column = GROUPABLE_COLUMNS.find((c) => c === text);
  if (!column || !IDENTIFIER.test(column)) {
    throw new ToolInputError(
      `${param}: "${clip(text)}" is not a column this server queries. Use one of ${GROUPABLE_COLUMNS.join(', ')}, ` +
        `or tag:<key> for a resource tag.`,
    );
  }
  source(column, schema, param);
  return { column };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * The expression of one dimension, NULL shown as '' so groups can be joined and compared; the table columns it reads
 * go into `columns`.
 */
function dimensionSql(
  d: Dimension,
  schema: CostDataSchema,
  params: QueryParam[],
  columns: Set<string>,
): string {
  if ('column' in d) {
    const src = source(d.column, schema, dimensionLabel(d));
    for (const c of src.reads) columns.add(c);
    return `COALESCE(CAST(${src.sql} AS VARCHAR), '')`;
  }
  // TRY: Athena's map subscript fails on a missing key; both engines give NULL under TRY.
  if (schema === 'cur2') {
    params.push({ kind: 'string', value: `${CUR2_TAG_PREFIX}${d.tag}` });
    columns.add('resource_tags');
    return `COALESCE(TRY(resource_tags[?]), '')`;
  }
  params.push({ kind: 'string', value: d.tag });
  columns.add('Tags');
  return `COALESCE(TRY(Tags[?]), '')`;
}

/** A FOCUS name's expression, its columns added to `columns`. */
function read(name: FocusName, schema: CostDataSchema, columns: Set<string>, param: string = name): string {
  const src = source(name, schema, param);
  for (const c of src.reads) columns.add(c);
  return src.sql;
}

/** The text a caller sees for a dimension. */
export function dimensionLabel(d: Dimension): string {
  return 'column' in d ? d.column : `${TAG_PREFIX}${d.tag}`;
}

/** A resolved date range: `start` inclusive, `end` exclusive, both `YYYY-MM-DD`. */
export interface Range {
  readonly start: string;
  readonly end: string;
}

/** The billing periods (`YYYY-MM`) a range touches: the partitions a query over it must read, and no other. */
export function billingPeriods(range: Range): string[] {
  const periods: string[] = [];
  let y = Number(range.start.slice(0, 4));
  let m = Number(range.start.slice(5, 7));
  const lastDay = new Date(Date.parse(`${range.end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 7);
  for (;;) {
    const p = `${y}-${String(m).padStart(2, '0')}`;
    periods.push(p);
    if (p >= lastDay) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return periods;
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** What every cost query shares: the range, the accounts, the filters and the credit rule. */
export interface CostScope {
  readonly range: Range;
  readonly filters: readonly FilterInput[];
  /** SubAccountId values; empty = every account in the data. */
  readonly accountIds: readonly string[];
  readonly includeCredits: boolean;
  /** The table's layout; FOCUS when not said. */
  readonly schema?: CostDataSchema;
}

/** The WHERE clause of a cost query and the columns it reads. */
function costWhere(scope: CostScope, params: QueryParam[], columns: Set<string>): string {
  const schema = scope.schema ?? 'focus';
  const periods = billingPeriods(scope.range);
  const clauses = [`billing_period IN (${placeholders(periods)})`];
  for (const p of periods) params.push({ kind: 'string', value: p });
  const start = read('ChargePeriodStart', schema, columns);
  clauses.push(`${start} >= CAST(? AS TIMESTAMP)`, `${start} < CAST(? AS TIMESTAMP)`);
  params.push(
    { kind: 'string', value: `${scope.range.start} 00:00:00` },
    { kind: 'string', value: `${scope.range.end} 00:00:00` },
  );
  if (!scope.includeCredits) {
    if (schema === 'cur2') {
      clauses.push(`line_item_line_item_type <> ?`);
      params.push({ kind: 'string', value: CUR2_CREDIT });
      columns.add('line_item_line_item_type');
    } else {
      clauses.push(`ChargeCategory <> ?`);
      params.push({ kind: 'string', value: 'Credit' });
      columns.add('ChargeCategory');
    }
  }
  if (scope.accountIds.length > 0) {
    clauses.push(`${read('SubAccountId', schema, columns)} IN (${placeholders(scope.accountIds)})`);
    for (const a of scope.accountIds) params.push({ kind: 'string', value: a });
  }
  scope.filters.forEach((f, i) => {
    const d = parseDimension(f.column, `filters[${i}].column`, schema);
    if (f.values.length === 0) throw new ToolInputError(`filters[${i}].values must list at least one value.`);
    const expr = dimensionSql(d, schema, params, columns);
    // '' stands for "no value" (an untagged resource), as in the answers.
    clauses.push(`${expr} ${f.exclude ? 'NOT IN' : 'IN'} (${placeholders(f.values)})`);
    for (const v of f.values) params.push({ kind: 'string', value: v });
  });
  return clauses.join('\n    AND ');
}

const PERIOD_SQL: Record<Exclude<Granularity, 'NONE'>, (start: string) => string> = {
  MONTHLY: (start) => `CAST(CAST(date_trunc('month', ${start}) AS DATE) AS VARCHAR)`,
  DAILY: (start) => `CAST(CAST(${start} AS DATE) AS VARCHAR)`,
};

export interface CostQuery extends CostScope {
  readonly metric: CostMetric;
  readonly groupBy: readonly Dimension[];
  readonly granularity: Granularity;
  /** Groups shown before the rest are folded into one row (rank 0). */
  readonly limit: number;
}

/**
 * Cost by group (and period): one row per shown group and period, plus one folded row per period for the groups
 * beyond `limit` (`rk` = '0', keys NULL, `groups` = how many it folds). Columns: g0…g2, period, amount (a decimal
 * string), line_items, rk, groups, newest_start, newest_end.
 */
export function costQuery(q: CostQuery): BuiltQuery {
  if (q.groupBy.length > 3) throw new ToolInputError('group_by takes at most three keys.');
  const schema = q.schema ?? 'focus';
  const params: QueryParam[] = [];
  const columns = new Set<string>();
  const amount = read(q.metric, schema, columns, 'metric');
  const start = read('ChargePeriodStart', schema, columns);
  const end = read('ChargePeriodEnd', schema, columns);
  const keys = q.groupBy.map((d, i) => `${dimensionSql(d, schema, params, columns)} AS g${i}`);
  const period = q.granularity === 'NONE' ? undefined : PERIOD_SQL[q.granularity](start);
  const where = costWhere(q, params, columns);
  const g = q.groupBy.map((_, i) => `g${i}`);
  const base =
    `WITH base AS (\n  SELECT ${[...keys, ...(period ? [`${period} AS period`] : [])].join(', ')}${keys.length || period ? ', ' : ''}` +
    `${amount} AS amount, ${start} AS charge_start, ${end} AS charge_end\n` +
    `  FROM ${TABLE_TOKEN}\n  WHERE ${where}\n)`;
  let sql: string;
  const per = period ? ['period'] : [];
  if (g.length === 0) {
    sql =
      `${base}\nSELECT ${[...per.map((p) => `${p}`), "'1' AS rk", "'1' AS groups"].join(', ')}, ` +
      `CAST(SUM(amount) AS VARCHAR) AS amount, CAST(COUNT(*) AS VARCHAR) AS line_items, ` +
      `CAST(MAX(charge_start) AS VARCHAR) AS newest_start, CAST(MAX(charge_end) AS VARCHAR) AS newest_end\n` +
      `FROM base${per.length ? `\nGROUP BY ${per.map((_, i) => i + 1).join(', ')}` : ''}`;
  } else {
    const cellKeys = [...g, ...per];
    sql =
      `${base},\ncells AS (\n  SELECT ${cellKeys.join(', ')}, SUM(amount) AS amount, COUNT(*) AS line_items, ` +
      `MAX(charge_start) AS newest_start, MAX(charge_end) AS newest_end\n  FROM base GROUP BY ${cellKeys.map((_, i) => i + 1).join(', ')}\n),\n` +
      `numbered AS (\n  SELECT ${g.join(', ')}, ROW_NUMBER() OVER (ORDER BY SUM(amount) DESC, ${g.join(', ')}) AS rn\n` +
      `  FROM cells GROUP BY ${g.map((_, i) => i + 1).join(', ')}\n),\n` +
      `ranked AS (SELECT ${g.join(', ')}, CASE WHEN rn <= ? THEN rn ELSE 0 END AS rk FROM numbered)\n` +
      `SELECT ${g.map((k) => `CASE WHEN r.rk > 0 THEN c.${k} END AS ${k}`).join(', ')}, ` +
      `${per.map((p) => `c.${p} AS ${p}, `).join('')}CAST(r.rk AS VARCHAR) AS rk, ` +
      `CAST(SUM(c.amount) AS VARCHAR) AS amount, CAST(SUM(c.line_items) AS VARCHAR) AS line_items, ` +
      `CAST(COUNT(DISTINCT ${g.map((k) => `c.${k}`).join(" || '|' || ")}) AS VARCHAR) AS groups, ` +
      `CAST(MAX(c.newest_start) AS VARCHAR) AS newest_start, CAST(MAX(c.newest_end) AS VARCHAR) AS newest_end\n` +
      `FROM cells c JOIN ranked r ON ${g.map((k) => `c.${k} = r.${k}`).join(' AND ')}\n` +
      `GROUP BY ${[...g, ...per, 'rk'].map((_, i) => i + 1).join(', ')}`;
    params.push({ kind: 'integer', value: q.limit });
  }
  return {
    sql,
    params,
    dataset: 'cost',
    partitions: billingPeriods(q.range),
    columns: [...columns].sort(),
  };
}

/** The columns a top-resources answer shows besides the id; their most frequent value per resource wins. */
export const RESOURCE_COLUMNS = ['ResourceName', 'ServiceName', 'RegionId', 'SubAccountId'] as const;

export interface TopResourcesQuery extends CostScope {
  readonly metric: CostMetric;
  readonly limit: number;
}

/**
 * The costliest resources: one row per resource among the top `limit` (ResourceId, name, service, region, account),
 * plus one folded row (rk '0') for the rest. Line items without a resource id are one row of their own (id '').
 */
export function topResourcesQuery(q: TopResourcesQuery): BuiltQuery {
  const schema = q.schema ?? 'focus';
  const params: QueryParam[] = [];
  const columns = new Set<string>();
  const amount = read(q.metric, schema, columns, 'metric');
  const start = read('ChargePeriodStart', schema, columns);
  const end = read('ChargePeriodEnd', schema, columns);
  const resourceId = read('ResourceId', schema, columns);
  // An attribute the schema lacks (CUR 2.0 has no resource name) is shown empty rather than refusing the ranking.
  const shown = RESOURCE_COLUMNS.map((c) => {
    if (schema === 'cur2' && !CUR2_SOURCES[c]) return `CAST(NULL AS VARCHAR) AS ${c}`;
    const expr = read(c, schema, columns);
    return expr === c ? c : `${expr} AS ${c}`;
  });
  const where = costWhere(q, params, columns);
  const attrs = RESOURCE_COLUMNS.map((c) => `MAX(COALESCE(CAST(${c} AS VARCHAR), '')) AS ${c.toLowerCase()}`);
  const sql =
    `WITH base AS (\n  SELECT COALESCE(CAST(${resourceId} AS VARCHAR), '') AS resource_id, ${shown.join(', ')}, ` +
    `${amount} AS amount, ${start} AS charge_start, ${end} AS charge_end\n` +
    `  FROM ${TABLE_TOKEN}\n  WHERE ${where}\n),\n` +
    `cells AS (\n  SELECT resource_id, ${attrs.join(', ')}, SUM(amount) AS amount, COUNT(*) AS line_items, ` +
    `MAX(charge_start) AS newest_start, MAX(charge_end) AS newest_end,\n` +
    `    ROW_NUMBER() OVER (ORDER BY SUM(amount) DESC, resource_id) AS rn\n  FROM base GROUP BY 1\n)\n` +
    `SELECT CASE WHEN rn <= ? THEN resource_id END AS resource_id, ` +
    RESOURCE_COLUMNS.map((c) => `CASE WHEN rn <= ? THEN ${c.toLowerCase()} END AS ${c.toLowerCase()}`).join(
      ', ',
    ) +
    `, CAST(CASE WHEN rn <= ? THEN rn ELSE 0 END AS VARCHAR) AS rk, CAST(SUM(amount) AS VARCHAR) AS amount, ` +
    `CAST(SUM(line_items) AS VARCHAR) AS line_items, CAST(COUNT(*) AS VARCHAR) AS groups, ` +
    `CAST(MAX(newest_start) AS VARCHAR) AS newest_start, CAST(MAX(newest_end) AS VARCHAR) AS newest_end\n` +
    `FROM cells\nGROUP BY ${RESOURCE_COLUMNS.length + 2}, 1, ${RESOURCE_COLUMNS.map((_, i) => i + 2).join(', ')}`;
  for (let i = 0; i < RESOURCE_COLUMNS.length + 2; i++) params.push({ kind: 'integer', value: q.limit });
  return { sql, params, dataset: 'cost', partitions: billingPeriods(q.range), columns: [...columns].sort() };
}

/** The Storage Lens metrics the storage tool reads (names as the export writes them). */
export const STORAGE_METRICS = [
  'StorageBytes',
  'ObjectCount',
  'IncompleteMultipartUploadStorageBytes',
  'NonCurrentVersionStorageBytes',
] as const;

export const STORAGE_GROUPS = ['bucket', 'account', 'storage_class', 'region'] as const;
export type StorageGroup = (typeof STORAGE_GROUPS)[number];

const STORAGE_GROUP_SQL: Record<StorageGroup, string> = {
  bucket: 'bucket_name',
  account: 'aws_account_number',
  storage_class: 'storage_class',
  region: 'aws_region',
};

export interface StorageQuery {
  /** The report dates (`YYYY-MM-DD`) to read: the date asked about, and the one to compare with if any. */
  readonly dates: readonly string[];
  readonly groupBy: StorageGroup;
  readonly accountIds: readonly string[];
  readonly buckets: readonly string[];
}

/**
 * Storage Lens metrics per group and report date, summed over the BUCKET records (the ACCOUNT records repeat the
 * same bytes one level up; counting both would double them). Columns: grp, report_date, metric_name, value.
 */
export function storageQuery(q: StorageQuery): BuiltQuery {
  const params: QueryParam[] = [];
  const clauses = [`dt IN (${placeholders(q.dates)})`];
  for (const d of q.dates) params.push({ kind: 'string', value: d });
  clauses.push(`record_type = ?`);
  params.push({ kind: 'string', value: 'BUCKET' });
  clauses.push(`metric_name IN (${placeholders(STORAGE_METRICS)})`);
  for (const m of STORAGE_METRICS) params.push({ kind: 'string', value: m });
  if (q.accountIds.length) {
    clauses.push(`aws_account_number IN (${placeholders(q.accountIds)})`);
    for (const a of q.accountIds) params.push({ kind: 'string', value: a });
  }
  if (q.buckets.length) {
    clauses.push(`bucket_name IN (${placeholders(q.buckets)})`);
    for (const b of q.buckets) params.push({ kind: 'string', value: b });
  }
  const grp = STORAGE_GROUP_SQL[q.groupBy];
  const sql =
    `SELECT COALESCE(CAST(${grp} AS VARCHAR), '') AS grp, CAST(dt AS VARCHAR) AS report_date, metric_name, ` +
    `CAST(SUM(CAST(metric_value AS DECIMAL(38,0))) AS VARCHAR) AS value, CAST(COUNT(*) AS VARCHAR) AS line_items\n` +
    `FROM ${TABLE_TOKEN}\nWHERE ${clauses.join('\n  AND ')}\nGROUP BY 1, 2, 3\nORDER BY 1, 2, 3`;
  const columns = new Set(['record_type', 'metric_name', 'metric_value', grp]);
  if (q.accountIds.length) columns.add('aws_account_number');
  if (q.buckets.length) columns.add('bucket_name');
  return { sql, params, dataset: 'storage', partitions: [...q.dates], columns: [...columns].sort() };
}

/** The newest report dates in a window, to find the latest delivered day. Columns: report_date. */
export function storageDatesQuery(dates: readonly string[]): BuiltQuery {
  const params: QueryParam[] = dates.map((d) => ({ kind: 'string', value: d }));
  return {
    sql:
      `SELECT DISTINCT CAST(dt AS VARCHAR) AS report_date FROM ${TABLE_TOKEN} ` +
      `WHERE dt IN (${placeholders(dates)}) ORDER BY 1 DESC`,
    params,
    dataset: 'storage',
    partitions: [...dates],
    columns: ['dt'],
  };
}

/** Validates an account id for the SubAccountId filter. */
export function checkAccountId(id: string, param: string): string {
  if (!/^\d{12}$/.test(id))
    throw new ToolInputError(`${param} must be a 12-digit AWS account id, got "${clip(id)}".`);
  return id;
}

/**
 * What the data holds in some billing periods: per period, its line items and newest charge period. Reads two
 * timestamp columns of those partitions only (cheap on Athena: a few MB at most), and `SubAccountId` when the answer
 * is for some accounts only: a scoped caller learns nothing of periods that hold only other accounts' rows. Columns:
 * billing_period, line_items, newest_start, newest_end.
 */
export function probeQuery(
  periods: readonly string[],
  accountIds: readonly string[] = [],
  schema: CostDataSchema = 'focus',
): BuiltQuery {
  const params: QueryParam[] = periods.map((p) => ({ kind: 'string', value: p }));
  const clauses = [`billing_period IN (${placeholders(periods)})`];
  const columns = new Set<string>();
  const start = read('ChargePeriodStart', schema, columns);
  const end = read('ChargePeriodEnd', schema, columns);
  if (accountIds.length > 0) {
    clauses.push(`${read('SubAccountId', schema, columns)} IN (${placeholders(accountIds)})`);
    for (const a of accountIds) params.push({ kind: 'string', value: a });
  }
  return {
    sql:
      `SELECT CAST(billing_period AS VARCHAR) AS billing_period, CAST(COUNT(*) AS VARCHAR) AS line_items, ` +
      `CAST(MAX(${start}) AS VARCHAR) AS newest_start, CAST(MAX(${end}) AS VARCHAR) AS newest_end\n` +
      `FROM ${TABLE_TOKEN}\nWHERE ${clauses.join(' AND ')}\nGROUP BY 1`,
    params,
    dataset: 'cost',
    partitions: [...periods],
    columns: [...columns].sort(),
  };
}
