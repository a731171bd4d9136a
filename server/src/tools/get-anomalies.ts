import type { Anomaly } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { addDays, parseIsoDate, resolveRange, toIsoDate } from '../billing/dates';
import { ToolInputError } from '../billing/errors';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { amount, exact, percentOf, rounded, sum, type Amount } from '../billing/money';
import { endDate, period, refresh, startDate, targetAccountId } from './lib/params';
import { defineTool } from './lib/types';
import { AWS_LIMITS, boundedString } from './lib/bounds';

/** Cost Anomaly Detection keeps 90 days of anomaly history. */
const ANOMALY_HISTORY_DAYS = 90;

export const getAnomaliesTool = defineTool({
  name: 'get-anomalies',
  title: 'Get cost anomalies',
  description:
    'Cost anomalies from AWS Cost Anomaly Detection (default: last 30 days; it keeps 90), largest impact ' +
    'first, with expected spend, monitor and root causes.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    monitor_arn: boundedString('monitor_arn', AWS_LIMITS.ceArn)
      .optional()
      .describe('Only this anomaly monitor.'),
    min_total_impact: z.number().min(0).optional().describe('Only a total impact of at least this many USD.'),
    feedback: z
      .enum(['YES', 'NO', 'PLANNED_ACTIVITY'])
      .optional()
      .describe('Only this feedback (NO: a false positive).'),
    refresh,
  },
  outputSchema: {
    total_impact: z.string(),
  },
  operations: ['ce:GetAnomalies', 'ce:GetAnomalyMonitors', 'sts:GetCallerIdentity'],
  // Not on the payer route: anomalies are what the queried account's own monitors detected, and the payer's monitors
  // are other monitors with other anomalies; GetAnomalies has no LINKED_ACCOUNT grouping to split either.
  fanout: true,
  async handler(args, ctx) {
    const range = resolveRange(args, ctx.now, {
      defaultPeriod: 'last_30_days',
      maxDaysBack: ANOMALY_HISTORY_DAYS,
      daysBackReason: 'Cost Anomaly Detection keeps 90 days of anomaly history',
    });
    if (
      args.monitor_arn !== undefined &&
      !/^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor\/\S+$/.test(args.monitor_arn)
    ) {
      throw new ToolInputError(
        `monitor_arn must be an anomaly monitor ARN like arn:aws:ce::123456789012:anomalymonitor/<id>, got ` +
          `"${args.monitor_arn.slice(0, 80)}".`,
      );
    }
    const account = await ctx.account(args.target_account_id);
    // GetAnomalies' EndDate is inclusive; our end_date is exclusive like every other range in this server.
    const inclusiveEnd = toIsoDate(addDays(parseIsoDate(range.end, 'end_date'), -1));
    const notes: string[] = [];

    const { pages, more, incomplete, note } = await ctx.paginate(
      'ce:GetAnomalies',
      {
        DateInterval: { StartDate: range.start, EndDate: inclusiveEnd },
        ...(args.monitor_arn ? { MonitorArn: args.monitor_arn } : {}),
        ...(args.feedback ? { Feedback: args.feedback } : {}),
        ...(args.min_total_impact !== undefined
          ? { TotalImpact: { NumericOperator: 'GREATER_THAN_OR_EQUAL', StartValue: args.min_total_impact } }
          : {}),
      },
      account,
      { inputToken: 'NextPageToken', outputToken: 'NextPageToken', items: 'anomalies' },
    );
    if (note) notes.push(note);

    const anomalies = pages.flatMap((p) => p.Anomalies ?? []);
    const impact = (a: Anomaly): Amount => amount(a.Impact?.TotalImpact ?? a.Impact?.MaxImpact);
    anomalies.sort(
      (a, b) =>
        impact(b).comparedTo(impact(a)) || (b.AnomalyStartDate ?? '').localeCompare(a.AnomalyStartDate ?? ''),
    );
    const shown = anomalies.slice(0, TOP_ROWS);

    // Monitor names make the answer readable; one extra request, only when there is something to name.
    const monitorNames = new Map<string, string>();
    const arns = [...new Set(shown.map((a) => a.MonitorArn).filter((a): a is string => Boolean(a)))];
    if (arns.length > 0) {
      try {
        const monitors = await ctx.paginate('ce:GetAnomalyMonitors', { MonitorArnList: arns }, account, {
          inputToken: 'NextPageToken',
          outputToken: 'NextPageToken',
          maxPages: 2,
        });
        for (const m of monitors.pages.flatMap((p) => p.AnomalyMonitors ?? [])) {
          if (m.MonitorArn && m.MonitorName) monitorNames.set(m.MonitorArn, m.MonitorName);
        }
      } catch (err) {
        // The anomalies are the answer; a missing monitor name is not worth failing it.
        notes.push(`Monitor names unavailable: ${(err as Error).message}`);
      }
    }

    const total = sum(anomalies.map(impact));
    const rows = shown.map((a) => {
      const actual = a.Impact?.TotalActualSpend;
      const expected = a.Impact?.TotalExpectedSpend;
      const pct =
        a.Impact?.TotalImpactPercentage !== undefined
          ? rounded(amount(a.Impact.TotalImpactPercentage), 1)
          : expected !== undefined
            ? percentOf(impact(a), amount(expected))
            : undefined;
      return {
        id: a.AnomalyId ?? '',
        ...(a.AnomalyStartDate ? { start_date: a.AnomalyStartDate.slice(0, 10) } : {}),
        ...(a.AnomalyEndDate ? { end_date: a.AnomalyEndDate.slice(0, 10) } : {}),
        ...(a.DimensionValue ? { dimension_value: a.DimensionValue } : {}),
        ...(a.MonitorArn ? { monitor_arn: a.MonitorArn } : {}),
        ...(a.MonitorArn && monitorNames.has(a.MonitorArn)
          ? { monitor_name: monitorNames.get(a.MonitorArn) }
          : {}),
        total_impact: exact(impact(a)),
        max_impact: exact(amount(a.Impact?.MaxImpact)),
        ...(actual !== undefined ? { total_actual_spend: exact(amount(actual)) } : {}),
        ...(expected !== undefined ? { total_expected_spend: exact(amount(expected)) } : {}),
        ...(pct !== undefined ? { impact_percentage: pct } : {}),
        ...(a.AnomalyScore?.MaxScore !== undefined ? { max_score: a.AnomalyScore.MaxScore } : {}),
        ...(a.Feedback ? { feedback: a.Feedback } : {}),
        root_causes: (a.RootCauses ?? []).slice(0, 10).map((r) => ({
          ...(r.Service ? { service: r.Service } : {}),
          ...(r.LinkedAccount ? { linked_account: r.LinkedAccount } : {}),
          ...(r.LinkedAccountName ? { linked_account_name: r.LinkedAccountName } : {}),
          ...(r.Region ? { region: r.Region } : {}),
          ...(r.UsageType ? { usage_type: r.UsageType } : {}),
          ...(r.Impact?.Contribution !== undefined
            ? { contribution: exact(amount(r.Impact.Contribution)) }
            : {}),
        })),
      };
    });

    const lines: string[] = [];
    const window = `${range.start} to ${range.end} (end exclusive)`;
    if (anomalies.length === 0) {
      lines.push(
        `**No cost anomalies for account ${accountLabel(account)}, ${window}.**` +
          (args.monitor_arn || args.feedback || args.min_total_impact !== undefined
            ? ' (with the given monitor / feedback / impact filters)'
            : ''),
        'Cost Anomaly Detection only reports anomalies for accounts with an anomaly monitor; AWS creates a ' +
          'default services monitor for most accounts.',
      );
    } else {
      lines.push(
        `**${anomalies.length} cost anomal${anomalies.length === 1 ? 'y' : 'ies'} for account ${accountLabel(account)}, ` +
          `${window}: ${rounded(total)} USD total impact** (exact ${exact(total)}).`,
        '',
        table(
          [
            'Start',
            'End',
            'Impact (USD)',
            'Actual / expected (USD)',
            'Impact %',
            'Monitor',
            'Top root cause',
          ],
          rows.map((r) => {
            const cause = r.root_causes[0];
            return [
              r.start_date ?? '',
              r.end_date ?? 'ongoing',
              `${rounded(r.total_impact)} (max ${rounded(r.max_impact)}/day)`,
              r.total_actual_spend !== undefined
                ? `${rounded(r.total_actual_spend)} / ${rounded(r.total_expected_spend ?? '0')}`
                : '',
              r.impact_percentage !== undefined ? `${r.impact_percentage}%` : '',
              r.monitor_name ?? r.monitor_arn ?? '',
              cause
                ? [cause.service, cause.linked_account, cause.region, cause.usage_type]
                    .filter(Boolean)
                    .join(' · ')
                : (r.dimension_value ?? ''),
            ];
          }),
        ),
      );
      if (anomalies.length > shown.length) {
        lines.push(
          `(${anomalies.length - shown.length} smaller anomalies not listed; they are in the total.)`,
        );
      }
    }

    return {
      text: lines.join('\n'),
      total: { amount: exact(total), unit: 'USD' },
      incomplete,
      data: {
        account_id: account.accountId,
        range,
        total_impact: exact(total),
        total: { amount: exact(total), unit: 'USD' },
        anomaly_count: anomalies.length,
        anomalies: rows,
        more_pages: more,
        notes,
      },
    };
  },
});
