import type { ReservationAggregates } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { amount, exact, rounded, sum, type Amount } from '../billing/money';
import { endDate, filters, period, refresh, startDate, targetAccountId } from './lib/params';
import {
  commitmentQuery,
  commitmentRequest,
  granularity,
  pctText,
  periodRow,
  periodsData,
  readCommitmentPages,
  RESERVATION_SERVICES,
  shownPeriods,
} from './lib/commitments';
import { defineTool } from './lib/types';

interface Figures {
  pct?: string;
  purchased: Amount;
  used: Amount;
  unused: Amount;
  unusedCost: Amount;
  netSavings: Amount;
  amortized: Amount;
}

function figures(a: ReservationAggregates | undefined): Figures {
  return {
    pct: a?.UtilizationPercentage,
    purchased: amount(a?.PurchasedHours),
    used: amount(a?.TotalActualHours),
    unused: amount(a?.UnusedHours),
    unusedCost: amount(a?.RICostForUnusedHours),
    netSavings: amount(a?.NetRISavings),
    amortized: amount(a?.TotalAmortizedFee),
  };
}

function out(f: Figures) {
  return {
    ...(f.pct !== undefined ? { utilization_percentage: f.pct } : {}),
    purchased_hours: exact(f.purchased),
    used_hours: exact(f.used),
    unused_hours: exact(f.unused),
    unused_cost: exact(f.unusedCost),
    net_savings: exact(f.netSavings),
    total_amortized_fee: exact(f.amortized),
  };
}

// Attributes AWS attaches to a subscription group, in the order worth reading.
const SUBSCRIPTION_ATTRIBUTES = [
  'instanceType',
  'region',
  'platform',
  'numberOfInstances',
  'accountId',
  'endDateTime',
];

export const getReservationUtilizationTool = defineTool({
  name: 'get-reservation-utilization',
  title: 'Get reservation utilization',
  description:
    'Reserved Instance utilization of an account (default: last month): utilization %, unused hours and ' +
    'their cost, net savings, per period or reservation.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    service: z.enum(RESERVATION_SERVICES).optional().describe('Only this service; default all.'),
    group_by: z
      .enum(['SUBSCRIPTION_ID'])
      .optional()
      .describe('SUBSCRIPTION_ID: each reservation, over the whole range.'),
    granularity,
    filters,
    refresh,
  },
  outputSchema: {
    total: z.looseObject({ unused_cost: z.string() }).optional(),
  },
  operations: ['ce:GetReservationUtilization', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const request = await commitmentRequest(args, args.service, ctx);
    const { range, notes, account, granularity: gran } = request;
    const { pages, more } = await readCommitmentPages(
      ctx,
      'ce:GetReservationUtilization',
      commitmentQuery(request, args.group_by),
      request,
      'NextPageToken',
      'reservations',
    );

    const scope = args.service ?? 'all services';
    const base = {
      account_id: account.accountId,
      range,
      ...(args.service ? { service: args.service } : {}),
      ...(args.group_by ? { group_by: args.group_by } : {}),
      ...(gran ? { granularity: gran } : {}),
      more_pages: more,
    };
    const byTime = pages.flatMap((p) => p.UtilizationsByTime ?? []);
    if (byTime.length === 0) {
      return {
        text:
          `**No Reserved Instances for account ${accountLabel(account)} (${scope}), ${range.start} to ${range.end} ` +
          `(end exclusive)**: AWS reports no reservation utilization, so there is nothing unused. ` +
          `get-purchase-recommendations shows whether buying reservations would save money.`,
        data: { ...base, has_data: false, reservations: [], periods: [], notes },
      };
    }

    const total = figures(pages.find((p) => p.Total)?.Total ?? byTime[0].Total);
    const periodRows = args.group_by ? [] : byTime.map((t) => periodRow(t.TimePeriod, figures(t.Total)));
    const reservations = byTime
      .flatMap((t) => t.Groups ?? [])
      .map((g) => ({ id: g.Value ?? '', attributes: g.Attributes ?? {}, f: figures(g.Utilization) }))
      .sort((a, b) => b.f.unusedCost.comparedTo(a.f.unusedCost) || b.f.unused.comparedTo(a.f.unused));
    const shown = reservations.slice(0, TOP_ROWS);

    const lines: string[] = [
      `**Reservation utilization for account ${accountLabel(account)} (${scope}), ${range.start} to ${range.end} (end ` +
        `exclusive): ${pctText(total.pct)}** — ${exact(total.used)} of ${exact(total.purchased)} purchased hours ` +
        `used; ${exact(total.unused)} unused hours cost ${rounded(total.unusedCost)} USD; net savings versus ` +
        `on-demand ${rounded(total.netSavings)} USD.`,
    ];
    if (args.group_by && shown.length > 0) {
      lines.push(
        '',
        table(
          ['Reservation', 'Details', 'Utilization', 'Unused h', 'Unused cost (USD)', 'Net savings (USD)'],
          shown.map((r) => [
            r.id,
            SUBSCRIPTION_ATTRIBUTES.map((k) => r.attributes[k])
              .filter(Boolean)
              .join(' · '),
            pctText(r.f.pct),
            exact(r.f.unused),
            exact(r.f.unusedCost),
            exact(r.f.netSavings),
          ]),
        ),
      );
      if (reservations.length > shown.length) {
        const rest = reservations.slice(TOP_ROWS);
        lines.push(
          `(${rest.length} more reservations with ${exact(sum(rest.map((r) => r.f.unusedCost)))} USD of unused hours.)`,
        );
      }
    } else if (periodRows.length > 1) {
      lines.push(
        '',
        table(
          ['Period start', 'Utilization', 'Used h', 'Unused h', 'Unused cost (USD)', 'Net savings (USD)'],
          shownPeriods(periodRows).map((p) => [
            p.start,
            pctText(p.f.pct),
            exact(p.f.used),
            exact(p.f.unused),
            exact(p.f.unusedCost),
            exact(p.f.netSavings),
          ]),
        ),
      );
    }

    return {
      text: lines.join('\n'),
      data: {
        ...base,
        has_data: true,
        total: out(total),
        reservations: shown.map((r) => ({ subscription_id: r.id, attributes: r.attributes, ...out(r.f) })),
        periods: periodsData(periodRows, out),
        notes,
      },
    };
  },
});
