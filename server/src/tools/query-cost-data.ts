import { COST_DATA_OPERATIONS } from '../aws/actions';
import { z } from 'zod';
import { resolveRange } from '../billing/dates';
import { table } from '../billing/format';
import { ToolInputError } from '../billing/errors';
import { exact, sum } from '../billing/money';
import {
  billingPeriods,
  COST_METRICS,
  costQuery,
  dimensionLabel,
  GRANULARITIES,
  parseDimension,
} from '../query/sql';
import { endDate, moneyShape, period, startDate } from './lib/params';
import {
  accountList,
  checkSpan,
  costDataOutputShape,
  costEngine,
  costFilters,
  costRefresh,
  costSchema,
  costTargetAccountId,
  costTargetAccountIds,
  decimalText,
  describeRange,
  includeCredits,
  newest,
  noDataNote,
  provenance,
  query,
} from './lib/cost-data';
import { defineTool } from './lib/types';

const METRIC_MEANING: Record<(typeof COST_METRICS)[number], string> = {
  BilledCost: 'invoice view',
  EffectiveCost: 'amortized: commitment purchases spread over the usage they cover',
  ListCost: 'at public on-demand prices',
  ContractedCost: 'at negotiated prices',
};

export const queryCostDataTool = defineTool({
  name: 'query-cost-data',
  title: 'Query FOCUS cost data',
  description:
    'Cost from the FOCUS (or CUR 2.0) billing export (Athena or Parquet): any period in the data, every account in one ' +
    'query, grouped by up to three columns or tags.',
  inputSchema: {
    metric: z.enum(COST_METRICS).optional().describe('Default BilledCost; EffectiveCost is amortized.'),
    group_by: z
      .array(z.string().max(140))
      .max(3)
      .optional()
      .describe('Up to three FOCUS columns (ServiceName, …) or tag:<key>.'),
    filters: costFilters,
    granularity: z.enum(GRANULARITIES).optional().describe('Default NONE: one figure per group.'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Groups shown (default 25); the rest fold into one row.'),
    period,
    start_date: startDate,
    end_date: endDate,
    target_account_id: costTargetAccountId,
    target_account_ids: costTargetAccountIds,
    include_credits: includeCredits,
    refresh: costRefresh,
  },
  outputSchema: {
    total: moneyShape,
    ...costDataOutputShape,
  },
  operations: COST_DATA_OPERATIONS,
  async handler(args, ctx) {
    const engine = costEngine('cost', ctx);
    const schema = costSchema(ctx);
    const range = resolveRange(args, ctx.now, { defaultPeriod: 'last_month' });
    checkSpan(billingPeriods(range));
    const metric = args.metric ?? 'BilledCost';
    const groupBy = (args.group_by ?? []).map((g, i) => parseDimension(g, `group_by[${i}]`, schema));
    const labels = groupBy.map(dimensionLabel);
    if (new Set(labels).size !== labels.length) throw new ToolInputError('group_by lists a key twice.');
    const granularity = args.granularity ?? 'NONE';
    const limit = args.limit ?? 25;
    const accounts = accountList(args, ctx.caller.scope);
    const credits = args.include_credits ? 'included' : 'excluded';
    const built = costQuery({
      range,
      filters: args.filters ?? [],
      accountIds: accounts,
      includeCredits: args.include_credits === true,
      metric,
      groupBy,
      granularity,
      limit,
      schema,
    });
    const result = await query(engine, built, ctx);
    const rows = result.rows
      .filter((r) => r.amount !== null || Number(r.line_items ?? 0) > 0)
      .map((r) => ({
        keys: Number(r.rk) > 0 ? groupBy.map((_, i) => r[`g${i}`] ?? '') : [],
        rank: Number(r.rk),
        ...(granularity !== 'NONE' && r.period ? { period: r.period } : {}),
        amount: decimalText(r.amount),
        line_items: r.line_items ?? '0',
        groups: Number(r.groups ?? 0),
      }))
      .sort(
        (a, b) =>
          (a.rank === 0 ? 1 : 0) - (b.rank === 0 ? 1 : 0) ||
          a.rank - b.rank ||
          (a.period ?? '').localeCompare(b.period ?? ''),
      );
    const total = sum(rows.map((r) => r.amount));
    const lineItems = exact(sum(rows.map((r) => r.line_items)));
    const freshness = {
      start: newest(result.rows.map((r) => r.newest_start)),
      end: newest(result.rows.map((r) => r.newest_end)),
    };
    const notes: string[] = [];
    if (lineItems === '0') notes.push(await noDataNote(engine, range, accounts, ctx));
    const folded = rows.filter((r) => r.rank === 0);
    const groupCount =
      groupBy.length === 0
        ? rows.length
          ? 1
          : 0
        : new Set(rows.filter((r) => r.rank > 0).map((r) => r.keys.join('\u0000'))).size +
          (folded.length ? Math.max(...folded.map((r) => r.groups)) : 0);
    const stated = provenance(result, lineItems, freshness, schema);
    const by = labels.length ? ` by ${labels.join(', ')}` : '';
    const lines = [
      `**${metric} (${METRIC_MEANING[metric]})${by}, ${describeRange(range)}: ${exact(total)} USD**` +
        `${accounts.length ? ` for account${accounts.length > 1 ? 's' : ''} ${accounts.join(', ')}` : ' across every account in the data'}.`,
      `Credits ${credits}${credits === 'excluded' ? ' (set include_credits to count them)' : ''}; granularity ${granularity}.`,
      stated.text,
    ];
    if (rows.length > 0) {
      const header = [
        ...(labels.length ? labels : ['Scope']),
        ...(granularity !== 'NONE' ? ['Period'] : []),
        `${metric} (USD)`,
        'Line items',
      ];
      lines.push(
        '',
        table(
          header,
          rows.map((r) => [
            ...(labels.length
              ? r.rank === 0
                ? [`(${r.groups} others)`, ...labels.slice(1).map(() => '')]
                : r.keys.map((k) => (k === '' ? '(none)' : k))
              : ['Total']),
            ...(granularity !== 'NONE' ? [r.period ?? ''] : []),
            r.amount,
            r.line_items,
          ]),
        ),
      );
    }
    return {
      text: lines.join('\n'),
      data: {
        range,
        metric,
        group_by: labels,
        granularity,
        credits,
        accounts,
        total: { amount: exact(total), unit: 'USD' },
        rows: rows.map((r) => ({
          keys: r.keys,
          ...(r.period ? { period: r.period } : {}),
          amount: r.amount,
          line_items: r.line_items,
          ...(r.rank === 0 ? { folded_groups: r.groups } : {}),
        })),
        group_count: groupCount,
        ...stated.data,
        notes,
      },
    };
  },
});
