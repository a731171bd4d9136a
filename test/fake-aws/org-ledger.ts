import Decimal from 'decimal.js';
import type { LedgerEntry } from './cost-ledger';
import type { FakeAws } from './fake-aws';
import { callerAccount, FakeOrganization } from './fake-organizations';

export { callerAccount };

/**
 * An AWS Organization on the fake endpoint: a payer (management) account, its members and, optionally, accounts
 * outside it, each with its own daily costs. Cost Explorer answers each caller from what it may see:
 * - a member, or an account outside the organization, sees its own costs (it is its own LINKED_ACCOUNT);
 * - the payer sees every account of its organization. Its members' costs carry LINKED_ACCOUNT = the member; its own
 *   costs carry none, as a management account is not its own linked account (FACTS: a LINKED_ACCOUNT filter on its
 *   own id returns nothing).
 *
 * The one property the payer route rests on is modelled as Cost Explorer behaves: the payer's LINKED_ACCOUNT group for
 * a member is the figure the member's own Cost Explorer answers for the same request without that key (its
 * ungrouped MONTHLY figure with `monthlyDrift` included, or its groups), so the payer's LINKED_ACCOUNT-grouped answers
 * and each member's own answers agree on the same ledger, figure for figure. Every other figure is computed as
 * costLedger computes it: ungrouped MONTHLY Totals carry `monthlyDrift` (Cost Explorer rounds each figure on its own),
 * groups are exact sums. `Estimated` is a property of the billing period, the same for every account asked.
 *
 * Grouped answers are cut into pages of `groupsPerPage` groups (a bucket's groups may span two pages), with a
 * NextPageToken, as Cost Explorer paginates a large grouped answer. Organizations is fake-organizations.ts's, with
 * the payer as management account (`accountsPerPage` accounts a ListAccounts page). Forecasts, anomalies and budgets
 * are answered per account from its own costs.
 */
export interface OrganizationSpec {
  readonly payer: string;
  /** The organization's accounts (the payer included) and their own costs. */
  readonly accounts: Readonly<Record<string, readonly LedgerEntry[]>>;
  /** Accounts outside the organization and their costs. */
  readonly outside?: Readonly<Record<string, readonly LedgerEntry[]>>;
  readonly monthlyDrift?: string;
  /**
   * Members that may list the organization's accounts too (delegated administrators): Organizations answers them,
   * but their Cost Explorer holds only their own costs.
   */
  readonly delegatedAdmins?: readonly string[];
  /** @default 1000 */
  readonly groupsPerPage?: number;
  /** @default 20 */
  readonly accountsPerPage?: number;
}

const DAY_MS = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const LINKED_ACCOUNT = 'LINKED_ACCOUNT';

/** A cost as one account's Cost Explorer sees it: its dimensions, LINKED_ACCOUNT included where it has one. */
interface Seen {
  readonly entry: LedgerEntry;
  readonly linked: string | undefined;
}

interface Expression {
  And?: Expression[];
  Or?: Expression[];
  Not?: Expression;
  Dimensions?: { Key: string; Values: string[]; MatchOptions?: string[] };
  Tags?: { Key: string; Values: string[] };
}

function valueOf(seen: Seen, key: string): string | undefined {
  if (key === LINKED_ACCOUNT) return seen.linked;
  if (key === 'SERVICE') return seen.entry.service;
  if (key === 'RECORD_TYPE') return seen.entry.dims?.RECORD_TYPE ?? 'Usage';
  return seen.entry.dims?.[key];
}

function matches(seen: Seen, filter: Expression | undefined): boolean {
  if (!filter) return true;
  if (filter.And) return filter.And.every((f) => matches(seen, f));
  if (filter.Or) return filter.Or.some((f) => matches(seen, f));
  if (filter.Not) return !matches(seen, filter.Not);
  if (filter.Dimensions) {
    const options = filter.Dimensions.MatchOptions ?? ['EQUALS'];
    if (options.length !== 1 || options[0] !== 'EQUALS')
      throw new Error(`unsupported MatchOptions ${options}`);
    const value = valueOf(seen, filter.Dimensions.Key);
    return value !== undefined && filter.Dimensions.Values.includes(value);
  }
  if (filter.Tags) {
    const value = seen.entry.dims?.[`tag:${filter.Tags.Key}`];
    return value !== undefined && filter.Tags.Values.includes(value);
  }
  throw new Error(`unsupported filter ${JSON.stringify(filter)}`);
}

interface Request {
  TimePeriod: { Start: string; End: string };
  Granularity?: string;
  Metrics?: string[];
  GroupBy?: { Type: string; Key: string }[];
  Filter?: Expression;
  NextPageToken?: string;
}

interface Bucket {
  TimePeriod: { Start: string; End: string };
  Estimated: boolean;
  Total: Record<string, { Amount: string; Unit: string }>;
  Groups?: { Keys: string[]; Metrics: Record<string, { Amount: string; Unit: string }> }[];
}

/** One account's view of the organization: what its Cost Explorer answers from. */
class View {
  constructor(
    readonly costs: readonly Seen[],
    /** Every cost of the billing family, for Estimated (a property of the period, not of one account). */
    private readonly period: readonly LedgerEntry[],
    private readonly drift: string | undefined,
    /** For the payer: each member's own view, for its LINKED_ACCOUNT groups. */
    private readonly members?: ReadonlyMap<string, View>,
  ) {}

  buckets(request: Request): Bucket[] {
    const metrics = request.Metrics ?? ['UnblendedCost'];
    const groupBy = request.GroupBy ?? [];
    const money = (v: Decimal) =>
      Object.fromEntries(metrics.map((m) => [m, { Amount: v.toFixed(), Unit: 'USD' }]));
    const end = Date.parse(`${request.TimePeriod.End}T00:00:00Z`);
    const out: Bucket[] = [];
    for (let t = Date.parse(`${request.TimePeriod.Start}T00:00:00Z`); t < end;) {
      const d = new Date(t);
      const next =
        request.Granularity === 'MONTHLY'
          ? Math.min(end, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
          : t + DAY_MS;
      const [start, stop] = [iso(t), iso(next)];
      const inside = this.costs.filter(
        (c) => c.entry.day >= start && c.entry.day < stop && matches(c, request.Filter),
      );
      const base = {
        TimePeriod: { Start: start, End: stop },
        Estimated: this.period.some((e) => e.day >= start && e.day < stop && e.estimated === true),
      };
      const linkedAt = groupBy.findIndex((g) => g.Type === 'DIMENSION' && g.Key === LINKED_ACCOUNT);
      if (linkedAt >= 0 && this.members) {
        // The payer: each member's group(s) are that member's own figures for the request without the key.
        const rest = groupBy.filter((_, i) => i !== linkedAt);
        const groups: NonNullable<Bucket['Groups']> = [];
        const members = [...new Set(inside.map((c) => c.linked).filter((a): a is string => !!a))].sort();
        for (const member of members) {
          const [own] = this.members.get(member)!.buckets({
            ...request,
            TimePeriod: { Start: start, End: stop },
            GroupBy: rest,
          });
          if (rest.length === 0) groups.push({ Keys: [member], Metrics: own.Total });
          for (const g of own.Groups ?? []) {
            const keys = [...g.Keys];
            keys.splice(linkedAt, 0, member);
            groups.push({ Keys: keys, Metrics: g.Metrics });
          }
        }
        out.push({ ...base, Total: {}, Groups: groups });
      } else if (groupBy.length > 0) {
        const groups = new Map<string, { keys: string[]; sum: Decimal }>();
        for (const c of inside) {
          const keys = groupBy.map((g) =>
            g.Type === 'TAG'
              ? `${g.Key}$${c.entry.dims?.[`tag:${g.Key}`] ?? ''}`
              : (valueOf(c, g.Key) ?? 'NoValue'),
          );
          const key = JSON.stringify(keys);
          const g = groups.get(key) ?? { keys, sum: new Decimal(0) };
          g.sum = g.sum.plus(c.entry.amount);
          groups.set(key, g);
        }
        out.push({
          ...base,
          Total: {},
          Groups: [...groups.values()].map((g) => ({ Keys: g.keys, Metrics: money(g.sum) })),
        });
      } else {
        let total = inside.reduce((s, c) => s.plus(c.entry.amount), new Decimal(0));
        if (request.Granularity === 'MONTHLY' && this.drift && inside.length > 0)
          total = total.plus(this.drift);
        out.push({ ...base, Total: money(total) });
      }
      t = next;
    }
    return out;
  }

  /** The sum of the costs of [start, end) that pass `filter` (forecasts and budgets read it). */
  sum(start: string, end: string, filter?: Expression): Decimal {
    return this.costs
      .filter((c) => c.entry.day >= start && c.entry.day < end && matches(c, filter))
      .reduce((s, c) => s.plus(c.entry.amount), new Decimal(0));
  }
}

/**
 * Cuts a grouped answer into pages of `size` groups (a bucket without groups counts as one, so every period is
 * listed, in order); an ungrouped answer is one page.
 */
function page(buckets: Bucket[], size: number, token: string | undefined) {
  if (!buckets.some((b) => b.Groups)) return { ResultsByTime: buckets };
  type Group = NonNullable<Bucket['Groups']>[number];
  const cells = buckets.flatMap((b, i): { i: number; g: Group | undefined }[] =>
    b.Groups && b.Groups.length > 0 ? b.Groups.map((g) => ({ i, g })) : [{ i, g: undefined }],
  );
  const from = token ? Number(token) : 0;
  const results: Bucket[] = [];
  for (const { i, g } of cells.slice(from, from + size)) {
    const last = results[results.length - 1];
    if (!last || last.TimePeriod !== buckets[i].TimePeriod) results.push({ ...buckets[i], Groups: [] });
    if (g) results[results.length - 1].Groups!.push(g);
  }
  const next = from + size < cells.length ? String(from + size) : undefined;
  return { ResultsByTime: results, ...(next ? { NextPageToken: next } : {}) };
}

/** The organization installed on a fake endpoint, for tests to read figures from. */
export interface InstalledOrganization {
  /** What `account`'s Cost Explorer answers to `request` (all pages joined). */
  answer(account: string, request: Request): Bucket[];
}

/** Installs the organization's Cost Explorer, Organizations, forecast, anomaly and budget answers on `fake`. */
export function installOrganization(fake: FakeAws, spec: OrganizationSpec): InstalledOrganization {
  const size = spec.groupsPerPage ?? 1000;
  const perPage = spec.accountsPerPage ?? 20;
  const orgEntries = Object.values(spec.accounts).flat();
  const ownView = (id: string, entries: readonly LedgerEntry[], period: readonly LedgerEntry[]) =>
    new View(
      entries.map((entry) => ({ entry, linked: id })),
      period,
      spec.monthlyDrift,
    );
  const memberViews = new Map<string, View>();
  for (const [id, entries] of Object.entries(spec.accounts)) {
    if (id !== spec.payer) memberViews.set(id, ownView(id, entries, orgEntries));
  }
  const payerView = new View(
    Object.entries(spec.accounts).flatMap(([id, entries]) =>
      entries.map((entry) => ({ entry, linked: id === spec.payer ? undefined : id })),
    ),
    orgEntries,
    spec.monthlyDrift,
    memberViews,
  );
  const outsideViews = new Map(
    Object.entries(spec.outside ?? {}).map(([id, entries]) => [id, ownView(id, entries, entries)] as const),
  );
  const viewOf = (account: string): View =>
    account === spec.payer
      ? payerView
      : (memberViews.get(account) ?? outsideViews.get(account) ?? new View([], [], undefined));

  fake.on('ce:GetCostAndUsage', (body, call) => {
    const request = body as unknown as Request;
    const buckets = viewOf(callerAccount(call)).buckets(request);
    return {
      ...page(buckets, size, request.NextPageToken),
      ...(request.GroupBy?.length ? { GroupDefinitions: request.GroupBy } : {}),
      DimensionValueAttributes: [],
    };
  });
  const organization = new FakeOrganization({
    managementAccount: spec.payer,
    accounts: Object.keys(spec.accounts)
      .sort()
      .map((id) => ({ id, name: `account-${id}`, email: `aws+${id}@example.com` })),
    delegatedAdministrators: spec.delegatedAdmins,
  });
  organization.pageSize = perPage;
  organization.install(fake);
  // Per account, from its own view: read in each account on every route.
  fake.on('ce:GetCostForecast', (body, call) => {
    const period = body.TimePeriod as { Start: string; End: string };
    const view = viewOf(callerAccount(call));
    const start = iso(Date.parse(`${period.Start}T00:00:00Z`) - 30 * DAY_MS);
    const mean = view.sum(start, period.Start, body.Filter as Expression | undefined);
    return {
      Total: { Amount: mean.toFixed(), Unit: 'USD' },
      ForecastResultsByTime: [
        {
          TimePeriod: period,
          MeanValue: mean.toFixed(),
          PredictionIntervalLowerBound: mean.times('0.9').toFixed(),
          PredictionIntervalUpperBound: mean.times('1.1').toFixed(),
        },
      ],
    };
  });
  fake.on('ce:GetAnomalies', () => ({ Anomalies: [] }));
  fake.on('budgets:DescribeBudgets', (_body, call) => {
    const account = callerAccount(call);
    return {
      Budgets: [
        {
          BudgetName: `budget-${account}`,
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
          BudgetLimit: { Amount: '100', Unit: 'USD' },
          CalculatedSpend: { ActualSpend: { Amount: '50', Unit: 'USD' } },
        },
      ],
    };
  });

  return { answer: (account, request) => viewOf(account).buckets(request) };
}
