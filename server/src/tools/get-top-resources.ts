import { COST_DATA_OPERATIONS } from '../aws/actions';
import { z } from 'zod';
import { resolveRange } from '../billing/dates';
import { table } from '../billing/format';
import { exact, sum } from '../billing/money';
import { billingPeriods, COST_METRICS, topResourcesQuery } from '../query/sql';
import { endDate, looseRows, period, startDate } from './lib/params';
import {
  accountList,
  noDataNote,
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
  provenance,
  query,
} from './lib/cost-data';
import { defineTool } from './lib/types';

export const getTopResourcesTool = defineTool({
  name: 'get-top-resources',
  title: 'Get the costliest resources',
  description:
    'Costliest resources (id, name, service, region, account) from the FOCUS (or CUR 2.0) billing export, any period, ' +
    'every account in one query (default: last 3 months, top 20).',
  inputSchema: {
    metric: z.enum(COST_METRICS).optional().describe('Ranks them; default BilledCost.'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Resources shown (default 20); the rest fold into one row.'),
    filters: costFilters,
    period,
    start_date: startDate,
    end_date: endDate,
    target_account_id: costTargetAccountId,
    target_account_ids: costTargetAccountIds,
    include_credits: includeCredits,
    refresh: costRefresh,
  },
  outputSchema: {
    resources: looseRows(),
    ...costDataOutputShape,
  },
  operations: COST_DATA_OPERATIONS,
  async handler(args, ctx) {
    const engine = costEngine('cost', ctx);
    const schema = costSchema(ctx);
    const range = resolveRange(args, ctx.now, { defaultPeriod: 'last_3_months' });
    checkSpan(billingPeriods(range));
    const metric = args.metric ?? 'BilledCost';
    const limit = args.limit ?? 20;
    const accounts = accountList(args, ctx.caller.scope);
    const credits = args.include_credits ? 'included' : 'excluded';
    const result = await query(
      engine,
      topResourcesQuery({
        range,
        filters: args.filters ?? [],
        accountIds: accounts,
        includeCredits: args.include_credits === true,
        metric,
        limit,
        schema,
      }),
      ctx,
    );
    const rows = [...result.rows].sort((a, b) => {
      const [x, y] = [Number(a.rk), Number(b.rk)];
      return (x === 0 ? 1 : 0) - (y === 0 ? 1 : 0) || x - y;
    });
    const resources = rows
      .filter((r) => Number(r.rk) > 0)
      .map((r) => ({
        resource_id: r.resource_id ?? '',
        resource_name: r.resourcename ?? '',
        service: r.servicename ?? '',
        region: r.regionid ?? '',
        account_id: r.subaccountid ?? '',
        amount: decimalText(r.amount),
        line_items: r.line_items ?? '0',
      }));
    const rest = rows.find((r) => Number(r.rk) === 0);
    const other = rest
      ? { count: Number(rest.groups), amount: decimalText(rest.amount), line_items: rest.line_items ?? '0' }
      : undefined;
    const total = sum([...resources.map((r) => r.amount), ...(other ? [other.amount] : [])]);
    const lineItems = exact(
      sum([...resources.map((r) => r.line_items), ...(other ? [other.line_items] : [])]),
    );
    const freshness = {
      start: newest(result.rows.map((r) => r.newest_start)),
      end: newest(result.rows.map((r) => r.newest_end)),
    };
    const notes: string[] = [];
    if (lineItems === '0') notes.push(await noDataNote(engine, range, accounts, ctx));
    const stated = provenance(result, lineItems, freshness, schema);
    const lines = [
      `**Top ${resources.length} resource${resources.length === 1 ? '' : 's'} by ${metric}, ${describeRange(range)}` +
        `${accounts.length ? ` in ${accounts.join(', ')}` : ', every account'}: total ${exact(total)} USD over ` +
        `${resources.length + (other?.count ?? 0)} resources.**`,
      `Credits ${credits}${credits === 'excluded' ? ' (set include_credits to count them)' : ''}.`,
      stated.text,
    ];
    if (resources.length) {
      lines.push(
        '',
        table(
          ['Resource', 'Name', 'Service', 'Region', 'Account', `${metric} (USD)`],
          [
            ...resources.map((r) => [
              r.resource_id || '(no resource id)',
              r.resource_name,
              r.service,
              r.region,
              r.account_id,
              r.amount,
            ]),
            ...(other ? [[`(${other.count} others)`, '', '', '', '', other.amount]] : []),
          ],
        ),
      );
    }
    return {
      text: lines.join('\n'),
      data: {
        range,
        metric,
        credits,
        accounts,
        total: { amount: exact(total), unit: 'USD' },
        resources,
        ...(other ? { other_resources: other } : {}),
        ...stated.data,
        notes,
      },
    };
  },
});
