import type { Budget } from '@aws-sdk/client-budgets';
import { AwsCallError } from '../aws/errors';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { amount, exact, percentOf, rounded } from '../billing/money';
import { looseRows, refresh, targetAccountId } from './lib/params';
import { defineTool } from './lib/types';
import { budgetRow, type BudgetRow, FLOOR_TYPES, STATUS_ORDER, STATUS_TEXT } from './lib/budgets';

export const getBudgetsTool = defineTool({
  name: 'get-budgets',
  title: 'Get budgets',
  description:
    'AWS Budgets of an account: limit, actual and forecast spend this period, % used and status (exceeded, ' +
    'forecast_to_exceed, ok, below_target).',
  inputSchema: {
    target_account_id: targetAccountId,
    refresh,
  },
  outputSchema: {
    budgets: looseRows(),
  },
  operations: ['budgets:DescribeBudgets', 'sts:GetCallerIdentity'],
  // Not on the payer route: a budget belongs to the account that made it, and the payer's DescribeBudgets lists the
  // payer's own budgets, not its members'; so each account is asked (Budgets does not bill per request either).
  fanout: true,
  async handler(args, ctx) {
    const account = await ctx.account(args.target_account_id);
    const notes: string[] = [];
    let budgets: Budget[] = [];
    let more = false;
    let incomplete: string | undefined;
    try {
      const result = await ctx.paginate(
        'budgets:DescribeBudgets',
        // The account id is required by the API; it is always the queried account's own id.
        { AccountId: account.accountId, MaxResults: 100 },
        account,
        { inputToken: 'NextToken', outputToken: 'NextToken', items: 'budgets' },
      );
      budgets = result.pages.flatMap((p) => p.Budgets ?? []);
      more = result.more;
      incomplete = result.incomplete;
      if (result.note) notes.push(result.note);
    } catch (err) {
      // Budgets answers NotFoundException for an account without budgets: that is an answer, not a failure.
      if (!(err instanceof AwsCallError && err.kind === 'not-found')) throw err;
    }

    const rows = budgets.map(budgetRow);
    const counts = { exceeded: 0, forecast_to_exceed: 0, ok: 0, below_target: 0, no_limit: 0 };
    for (const r of rows) counts[r.status]++;
    const used = (r: BudgetRow) => (r.limit && !r.limit.isZero() ? r.actual.div(r.limit) : amount(0));
    rows.sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        used(b).comparedTo(used(a)) ||
        a.name.localeCompare(b.name),
    );
    const shown = rows.slice(0, TOP_ROWS);

    const out = shown.map((r) => {
      const pctUsed = r.limit ? percentOf(r.actual, r.limit) : undefined;
      const pctForecast = r.limit && r.forecast ? percentOf(r.forecast, r.limit) : undefined;
      return {
        name: r.name,
        type: r.type,
        time_unit: r.timeUnit,
        unit: r.unit,
        ...(r.limit ? { limit: exact(r.limit) } : {}),
        actual: exact(r.actual),
        ...(r.forecast ? { forecast: exact(r.forecast) } : {}),
        ...(pctUsed !== undefined ? { percent_used: pctUsed } : {}),
        ...(pctForecast !== undefined ? { forecast_percent: pctForecast } : {}),
        ...(r.limit && !FLOOR_TYPES.has(r.type) ? { remaining: exact(r.limit.minus(r.actual)) } : {}),
        status: r.status,
        ...(r.periodStart ? { period_start: r.periodStart } : {}),
        ...(r.periodEnd ? { period_end: r.periodEnd } : {}),
        ...(r.health ? { health: r.health } : {}),
      };
    });

    const lines: string[] = [];
    if (rows.length === 0) {
      lines.push(
        `**Account ${accountLabel(account)} has no AWS Budgets.** Create one in the Billing and Cost Management console ` +
          `(Budgets → Create budget) to track spend against a limit and get alerts; meanwhile get-cost-and-usage ` +
          `shows how spend is trending.`,
      );
    } else {
      const flagged = counts.exceeded + counts.forecast_to_exceed + counts.below_target;
      lines.push(
        `**Account ${accountLabel(account)} has ${rows.length} budget${rows.length === 1 ? '' : 's'}: ` +
          `${counts.exceeded} exceeded, ${counts.forecast_to_exceed} forecast to exceed` +
          `${counts.below_target ? `, ${counts.below_target} below target` : ''}, ${counts.ok} ok` +
          `${counts.no_limit ? `, ${counts.no_limit} without a limit` : ''}.**` +
          (flagged === 0 ? ' Nothing needs attention.' : ''),
        '',
        table(
          ['Budget', 'Type / period', 'Limit', 'Actual', '% used', 'Forecast', 'Status'],
          out.map((b) => [
            b.name,
            `${b.type} / ${b.time_unit}`,
            b.limit !== undefined ? `${rounded(b.limit)} ${b.unit}` : '—',
            `${rounded(b.actual)} ${b.unit}`,
            b.percent_used !== undefined ? `${b.percent_used}%` : '—',
            b.forecast !== undefined
              ? `${rounded(b.forecast)}${b.forecast_percent !== undefined ? ` (${b.forecast_percent}%)` : ''}`
              : '—',
            STATUS_TEXT[b.status] + (b.health ? ` (${b.health})` : ''),
          ]),
        ),
      );
      if (rows.length > shown.length) lines.push(`(${rows.length - shown.length} more budgets not listed.)`);
    }

    return {
      text: lines.join('\n'),
      incomplete,
      data: {
        account_id: account.accountId,
        budget_count: rows.length,
        status_counts: counts,
        budgets: out,
        more_pages: more,
        notes,
      },
    };
  },
});
