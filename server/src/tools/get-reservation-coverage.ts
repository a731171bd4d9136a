import type { Coverage } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { table, TOP_ROWS, accountLabel } from '../billing/format';
import { amount, exact, percentOf, rounded, sum, type Amount } from '../billing/money';
import { endDate, filters, period, refresh, startDate, targetAccountId } from './lib/params';
import {
  attributesLabel,
  commitmentQuery,
  commitmentRequest,
  granularity,
  mergeByKey,
  pctText,
  periodRow,
  periodsData,
  readCommitmentPages,
  RESERVATION_SERVICES,
  shownPeriods,
} from './lib/commitments';
import { defineTool } from './lib/types';

const GROUP_BY = [
  'INSTANCE_TYPE',
  'REGION',
  'LINKED_ACCOUNT',
  'AZ',
  'PLATFORM',
  'OPERATING_SYSTEM',
  'TENANCY',
  'DATABASE_ENGINE',
  'CACHE_ENGINE',
  'DEPLOYMENT_OPTION',
  'INVOICING_ENTITY',
] as const;

interface CoverageFigures {
  reservedHours: Amount;
  onDemandHours: Amount;
  totalHours: Amount;
  onDemandCost: Amount;
  hoursPct?: string;
  unitsPct?: string;
}

function figures(c: Coverage | undefined): CoverageFigures {
  return {
    reservedHours: amount(c?.CoverageHours?.ReservedHours),
    onDemandHours: amount(c?.CoverageHours?.OnDemandHours),
    totalHours: amount(c?.CoverageHours?.TotalRunningHours),
    onDemandCost: amount(c?.CoverageCost?.OnDemandCost),
    hoursPct: c?.CoverageHours?.CoverageHoursPercentage,
    unitsPct: c?.CoverageNormalizedUnits?.CoverageNormalizedUnitsPercentage,
  };
}

function out(f: CoverageFigures) {
  return {
    ...(f.hoursPct !== undefined ? { coverage_hours_percentage: f.hoursPct } : {}),
    ...(f.unitsPct !== undefined ? { coverage_normalized_units_percentage: f.unitsPct } : {}),
    reserved_hours: exact(f.reservedHours),
    on_demand_hours: exact(f.onDemandHours),
    total_running_hours: exact(f.totalHours),
    on_demand_cost: exact(f.onDemandCost),
  };
}

/** Sums rows exactly; the hours percentage is recomputed from the sums (reserved / total). */
function combine(rows: readonly CoverageFigures[]): CoverageFigures {
  const reservedHours = sum(rows.map((r) => r.reservedHours));
  const totalHours = sum(rows.map((r) => r.totalHours));
  return {
    reservedHours,
    onDemandHours: sum(rows.map((r) => r.onDemandHours)),
    totalHours,
    onDemandCost: sum(rows.map((r) => r.onDemandCost)),
    hoursPct: percentOf(reservedHours, totalHours),
  };
}

export const getReservationCoverageTool = defineTool({
  name: 'get-reservation-coverage',
  title: 'Get reservation coverage',
  description:
    "Reserved Instance coverage of an account's usage (default: last month, EC2): coverage %, reserved and " +
    'on-demand hours, the uncovered on-demand cost.',
  inputSchema: {
    target_account_id: targetAccountId,
    period,
    start_date: startDate,
    end_date: endDate,
    service: z.enum(RESERVATION_SERVICES).optional().describe('Default EC2.'),
    group_by: z.enum(GROUP_BY).optional().describe('Break down by this (then over the whole range).'),
    granularity,
    filters,
    refresh,
  },
  outputSchema: {
    total: z.looseObject({ on_demand_cost: z.string() }).optional(),
  },
  operations: ['ce:GetReservationCoverage', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const service = args.service ?? 'Amazon Elastic Compute Cloud - Compute';
    const request = await commitmentRequest(args, service, ctx);
    const { range, notes, account, granularity: gran } = request;
    const { pages, more } = await readCommitmentPages(
      ctx,
      'ce:GetReservationCoverage',
      commitmentQuery(request, args.group_by),
      request,
      'NextPageToken',
      'groups',
    );

    const base = {
      account_id: account.accountId,
      range,
      service,
      ...(args.group_by ? { group_by: args.group_by } : {}),
      ...(gran ? { granularity: gran } : {}),
      more_pages: more,
    };
    const byTime = pages.flatMap((p) => p.CoveragesByTime ?? []);
    if (pages.length === 0 || byTime.length === 0) {
      return {
        text:
          `**No reservation coverage data for account ${accountLabel(account)}, ${range.start} to ${range.end} ` +
          `(end exclusive), ${service}.** The account had no usage of this service that reservations could cover ` +
          `then (or Cost Explorer has no data for it yet).`,
        data: { ...base, has_data: false, groups: [], periods: [], notes },
      };
    }

    const totalRaw = pages.find((p) => p.Total)?.Total;
    const periodRows = args.group_by ? [] : byTime.map((t) => periodRow(t.TimePeriod, figures(t.Total)));

    // A group can appear in several time buckets; its hours and cost are summed exactly, and its percentage is
    // AWS's own when it appears once, else recomputed from the summed hours.
    const merged = mergeByKey(
      byTime
        .flatMap((t) => t.Groups ?? [])
        .map((g) => ({ key: attributesLabel(g.Attributes), f: figures(g.Coverage) })),
      combine,
    );
    if (merged.some((g) => g.merged)) {
      notes.push('Groups spanning several time buckets show coverage recomputed from their summed hours.');
    }
    const groups = merged.sort(
      (a, b) =>
        b.f.onDemandCost.comparedTo(a.f.onDemandCost) ||
        b.f.onDemandHours.comparedTo(a.f.onDemandHours) ||
        a.key.localeCompare(b.key),
    );
    // Cost Explorer's Total for the range is the figure stated; without one the rows are added up, and it says so.
    const total: CoverageFigures = totalRaw
      ? figures(totalRaw)
      : combine(args.group_by ? groups.map((g) => g.f) : periodRows.map((p) => p.f));
    if (!totalRaw) {
      notes.push(
        `Cost Explorer returned no total: the total adds up the ${args.group_by ? 'groups' : 'periods'} read, ` +
          'its percentage recomputed from those sums.',
      );
    }

    const shown = groups.slice(0, TOP_ROWS);
    const lines: string[] = [
      `**Reservation coverage for account ${accountLabel(account)}, ${service}, ${range.start} to ${range.end} (end ` +
        `exclusive): ${pctText(total.hoursPct)} of running hours** (${exact(total.reservedHours)} reserved of ` +
        `${exact(total.totalHours)} hours; ${exact(total.onDemandHours)} on-demand hours costing ` +
        `${rounded(total.onDemandCost)} USD).` +
        (total.unitsPct !== undefined ? ` Normalized units: ${pctText(total.unitsPct)}.` : ''),
    ];
    if (args.group_by && shown.length > 0) {
      lines.push(
        '',
        table(
          [args.group_by, 'Coverage (hours)', 'Reserved h', 'On-demand h', 'On-demand cost (USD)'],
          shown.map((g) => [
            g.key,
            pctText(g.f.hoursPct),
            exact(g.f.reservedHours),
            exact(g.f.onDemandHours),
            exact(g.f.onDemandCost),
          ]),
        ),
      );
      if (groups.length > shown.length) {
        const rest = groups.slice(TOP_ROWS);
        lines.push(
          `(${rest.length} more groups with ${exact(sum(rest.map((g) => g.f.onDemandCost)))} USD on-demand cost.)`,
        );
      }
    } else if (periodRows.length > 1) {
      lines.push(
        '',
        table(
          ['Period start', 'Coverage (hours)', 'Reserved h', 'On-demand h', 'On-demand cost (USD)'],
          shownPeriods(periodRows).map((p) => [
            p.start,
            pctText(p.f.hoursPct),
            exact(p.f.reservedHours),
            exact(p.f.onDemandHours),
            exact(p.f.onDemandCost),
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
        groups: shown.map((g) => ({ key: g.key, ...out(g.f) })),
        periods: periodsData(periodRows, out),
        notes,
      },
    };
  },
});
