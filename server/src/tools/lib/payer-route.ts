import type { Expression, Group, GroupDefinition, ResultByTime } from '@aws-sdk/client-cost-explorer';
import type { AwsOperation } from '../../aws/actions';
import { stableStringify } from '../../aws/cache';
import { AwsCallError } from '../../aws/errors';
import { ToolInputError } from '../../billing/errors';
import type { AccountScope, AwsGateway, UsageMeter } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import type { AccountsRoute, GroupedAccounts, RouteDescription } from './fanout';
import { readPages, type Paginated, type PaginateOptions } from './pagination';
import type { ToolContext } from './types';

/**
 * The payer route. In an organization, the management (payer) account's Cost Explorer holds every member's figures:
 * one GetCostAndUsage request grouped by LINKED_ACCOUNT (and filtered to the accounts asked) answers N member
 * accounts, where the fan-out makes N sets of requests through N assumed roles. Each member's share of that answer is
 * cut out and handed to the tool's own single-account handler as the answer it would have read in the member itself:
 * a group `[account]` of an otherwise ungrouped request becomes that bucket's Total, a group `[account, key]` becomes
 * the group `[key]`. The handler, its arithmetic and its text are the fan-out's, so per-account sections and the
 * combined total are the same figures (every period total stays Cost Explorer's own figure for that account and period:
 * tools/lib/period-figures.ts).
 *
 * This rests on one property of Cost Explorer: the payer's LINKED_ACCOUNT group for a member over a period is the
 * figure the member's own Cost Explorer answers for that period (the same billing data, aggregated per account).
 * The fake AWS models exactly that (test/fake-aws/org-ledger.ts), and the e2e tests hold the two routes equal on it.
 *
 * Not through the payer:
 * - the payer itself: LINKED_ACCOUNT does not list a management account, so a LINKED_ACCOUNT filter on its own id
 *   returns nothing (FACTS); it is asked on its own, as in the fan-out;
 * - accounts Organizations does not list as members of the payer's organization (asked on their own);
 * - requests that already group by two keys other than LINKED_ACCOUNT (Cost Explorer groups by two at most), and any
 *   operation other than GetCostAndUsage (forecasts, anomalies and budgets have no LINKED_ACCOUNT grouping): those
 *   reads go to each account, as in the fan-out.
 */

type CostInput = InputOf<'ce:GetCostAndUsage'>;
type CostOutput = OutputOf<'ce:GetCostAndUsage'>;

const LINKED_ACCOUNT = 'LINKED_ACCOUNT';
/** Organizations answers ListAccounts 20 accounts a page; 50 pages cover 1,000 accounts, the rest are asked alone. */
const MAX_ACCOUNT_PAGES = 50;
/** With fewer members asked, one request in the payer saves nothing over the member's own. */
const MIN_SHARED_ACCOUNTS = 2;
const COST_PAGES: PaginateOptions = { inputToken: 'NextPageToken', outputToken: 'NextPageToken' };

/** The payer and its organization's accounts, or why the route cannot be taken. */
type Organization =
  | { readonly ok: true; readonly payer: AccountScope; readonly members: ReadonlySet<string> }
  | { readonly ok: false; readonly reason: string };

// Per process: the organization changes far less often than billing data, and a server outside any organization
// should not ask Organizations on every multi-account call. Kept as long as cached answers (CACHE_TTL_SECONDS).
const known = new WeakMap<AwsGateway, { organization: Organization; until: number }>();

/** Everything the route needs from the runner. */
export interface PayerRouteInput {
  readonly accountIds: readonly string[];
  /** A context of this call counting into `meter` (the caller's scope applies to its calls). */
  readonly context: (meter: UsageMeter) => ToolContext;
  readonly meter: UsageMeter;
  /** Direct reads of the grouped accounts run at most this many at once, as the fan-out's accounts do. */
  readonly concurrency: number;
}

/**
 * Decides how a payer-route tool's accounts are asked. Authorization has already run for every account asked (the
 * runner's scope check); each account's handler still resolves its account through `ctx.account`, so the allow-list
 * refuses an account exactly as in the fan-out, before any request for it.
 * @throws AwsCallError of kind `deadline` when the deadline stops the organization lookup
 */
export async function planPayerRoute(input: PayerRouteInput): Promise<AccountsRoute> {
  const ctx = input.context(input.meter);
  const organization = await organizationOf(ctx);
  const fanout = (reason: string): AccountsRoute => ({
    describe: () => describeFanout(input.accountIds, reason),
  });
  if (!organization.ok) return fanout(organization.reason);
  const { payer, members } = organization;
  const viaPayer = input.accountIds.filter((a) => a !== payer.accountId && members.has(a));
  if (viaPayer.length < MIN_SHARED_ACCOUNTS) {
    return fanout(
      `${viaPayer.length === 0 ? 'no' : 'only one'} member of payer ${payer.accountId}'s organization asked ` +
        `besides the payer itself`,
    );
  }
  const routeMeter = input.meter.child();
  const reads = new SharedCostReads(payer, input.context(routeMeter), viaPayer);
  const limit = limiter(input.concurrency);
  const grouped: GroupedAccounts = {
    accounts: new Set(viaPayer),
    context: (meter) => reads.context(input.context(meter), limit),
    failed: () => reads.failedAccounts,
  };
  return {
    grouped,
    describe: (retried) =>
      describePayer(input.accountIds, payer.accountId, viaPayer, retried, routeMeter, reads),
  };
}

/** The payer (PAYER_ACCOUNT_ID, else Organizations' MasterAccountId) and its members, once per cache TTL. */
async function organizationOf(ctx: ToolContext): Promise<Organization> {
  const { gateway, config } = ctx;
  const now = Date.now();
  const memo = known.get(gateway);
  if (memo && memo.until > now) return memo.organization;
  const organization = await lookUpOrganization(ctx);
  if (config.cacheTtlSeconds > 0) {
    // A failure may be passing (throttling, a role being deployed): asked again sooner.
    const seconds = organization.ok ? config.cacheTtlSeconds : Math.min(60, config.cacheTtlSeconds);
    known.set(gateway, { organization, until: now + seconds * 1000 });
  }
  return organization;
}

async function lookUpOrganization(ctx: ToolContext): Promise<Organization> {
  const { gateway, config, signal, meter } = ctx;
  const ownId = await gateway.ownAccountId(signal);
  const own: AccountScope = { accountId: ownId, isOwn: true };
  // Routing information, never part of an answer: read without the caller's scope (the scope applies to every
  // account asked, and to the payer's Cost Explorer requests, which carry it), and never bypassed by `refresh`.
  const ask = <O extends AwsOperation>(operation: O, request: InputOf<O>, account: AccountScope) =>
    gateway.call(operation, request, { account, signal, meter });
  const unavailable = (what: string, err: unknown): Organization => {
    if (err instanceof AwsCallError && err.kind === 'deadline') throw err;
    return {
      ok: false,
      reason: `${what} (${err instanceof Error ? err.message : String(err)})`,
    };
  };

  let payerId = config.payerAccountId;
  if (payerId === undefined) {
    try {
      const out = await ask('organizations:DescribeOrganization', {}, own);
      payerId = out.Organization?.MasterAccountId;
    } catch (err) {
      return unavailable(
        'no payer known: PAYER_ACCOUNT_ID is not set and Organizations did not name one',
        err,
      );
    }
    if (!payerId) return { ok: false, reason: 'Organizations named no payer account for this server' };
  }
  let payer: AccountScope;
  if (payerId === ownId) payer = own;
  else if (gateway.isAllowedTarget(payerId)) payer = { accountId: payerId, isOwn: false };
  else {
    return {
      ok: false,
      reason: `the payer account ${payerId} is not among this server's allowed target accounts`,
    };
  }

  const members = readPages<'organizations:ListAccounts'>(
    (request) => ask('organizations:ListAccounts', request, payer),
    // The request list-accounts sends too (tools/lib/accounts.ts), so the two share its cached answer.
    { MaxResults: 20 },
    {
      inputToken: 'NextToken',
      outputToken: 'NextToken',
      maxPages: MAX_ACCOUNT_PAGES,
      deadlineSeconds: config.toolDeadlineSeconds,
    },
    signal,
  );
  // A named payer must be the management account: a delegated administrator may list the accounts too, but its
  // Cost Explorer holds only its own costs, and every member would then read as zero.
  const checked =
    config.payerAccountId !== undefined
      ? ask('organizations:DescribeOrganization', {}, payer).then((out) => out.Organization?.MasterAccountId)
      : Promise.resolve(payerId);
  let listed: Paginated<OutputOf<'organizations:ListAccounts'>>;
  let master: string | undefined;
  try {
    [listed, master] = await Promise.all([members, checked]);
  } catch (err) {
    return unavailable(`the organization's accounts could not be read in payer ${payerId}`, err);
  }
  if (master !== payerId) {
    return {
      ok: false,
      reason: `PAYER_ACCOUNT_ID ${payerId} is not its organization's management account (Organizations names ${master ?? 'none'})`,
    };
  }
  if (listed.incomplete) {
    return { ok: false, reason: `the organization's accounts could not all be read in payer ${payerId}` };
  }
  return {
    ok: true,
    payer,
    members: new Set(listed.pages.flatMap((p) => p.Accounts ?? []).flatMap((a) => (a.Id ? [a.Id] : []))),
  };
}

/** A slot-limited runner: at most `size` tasks at once, the rest queued in order. */
function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active < size) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task in line, so no newcomer can take it in between.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** One payer request standing for the identical requests of several member accounts. */
interface Batch {
  readonly input: CostInput;
  readonly options: PaginateOptions;
  readonly accounts: Set<string>;
  readonly answers: Promise<Map<string, Paginated<CostOutput>>>;
}

/** How a member's request is asked in the payer. */
export interface SharedGrouping {
  readonly groupBy: GroupDefinition[];
  /** Where the account id sits in each group's keys. */
  readonly position: number;
  /** LINKED_ACCOUNT was added in front (the member's own request did not group by it). */
  readonly prepended: boolean;
}

/**
 * The member accounts' GetCostAndUsage reads, asked as one payer request per distinct request. The handlers of the
 * grouped accounts start together and send their reads in the same turn of the event loop (after `ctx.account`,
 * which needs no request once the own account id is known); reads of the same request are gathered until that turn
 * ends, then asked once for all the accounts that sent them.
 */
class SharedCostReads {
  private readonly pending = new Map<string, Batch>();
  private readonly members: ReadonlySet<string>;
  /** Accounts whose shared read failed other than by the deadline. */
  readonly failedAccounts = new Set<string>();
  /** Why a shared read failed, for the answer. */
  failure: string | undefined;
  /** Accounts that read a share of a payer answer. */
  readonly servedAccounts = new Set<string>();
  /** Distinct payer requests asked (their pages aside). */
  requests = 0;
  /** Reads of the grouped accounts sent to the accounts themselves (no LINKED_ACCOUNT grouping for them). */
  directReads = 0;

  constructor(
    private readonly payer: AccountScope,
    private readonly payerContext: ToolContext,
    members: readonly string[],
  ) {
    this.members = new Set(members);
  }

  /** A grouped account's context: its GetCostAndUsage reads shared, its other reads sent as usual within `limit`. */
  context(base: ToolContext, limit: <T>(task: () => Promise<T>) => Promise<T>): ToolContext {
    const share = (
      operation: AwsOperation,
      input: unknown,
      account: AccountScope,
      options: PaginateOptions,
    ) => {
      if (operation !== 'ce:GetCostAndUsage' || !this.members.has(account.accountId)) return undefined;
      // The audit line lists the member whose figures were read, though no request went to it.
      return this.read(account.accountId, input as CostInput, options)?.then((share) => {
        base.meter.recordAccountRead(account.accountId);
        return share;
      });
    };
    const direct = <T>(task: () => Promise<T>) => {
      this.directReads++;
      return limit(task);
    };
    return {
      ...base,
      call: (<O extends AwsOperation>(
        operation: O,
        input: InputOf<O>,
        account: AccountScope,
        options?: { region?: string },
      ): Promise<OutputOf<O>> =>
        share(operation, input, account, COST_PAGES)?.then((r) => r.pages[0] as OutputOf<O>) ??
        direct(() => base.call(operation, input, account, options))) as ToolContext['call'],
      paginate: (<O extends AwsOperation>(
        operation: O,
        input: InputOf<O>,
        account: AccountScope,
        options: PaginateOptions,
      ): Promise<Paginated<OutputOf<O>>> =>
        (share(operation, input, account, options) as Promise<Paginated<OutputOf<O>>> | undefined) ??
        direct(() => base.paginate(operation, input, account, options))) as ToolContext['paginate'],
    };
  }

  /** The member's share of the payer's answer to its request, or undefined when the request cannot be shared. */
  private read(
    accountId: string,
    input: CostInput,
    options: PaginateOptions,
  ): Promise<Paginated<CostOutput>> | undefined {
    if (input.NextPageToken !== undefined || !sharedGrouping(input.GroupBy)) return undefined;
    const key = stableStringify(input);
    let batch = this.pending.get(key);
    if (!batch) {
      const accounts = new Set<string>();
      const answers = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.pending.delete(key);
        return this.ask(input, options, [...accounts].sort());
      });
      batch = { input, options, accounts, answers };
      this.pending.set(key, batch);
    }
    batch.accounts.add(accountId);
    return batch.answers.then(
      (answers) => {
        this.servedAccounts.add(accountId);
        return answers.get(accountId)!;
      },
      (err: unknown) => {
        if (!(err instanceof AwsCallError && err.kind === 'deadline')) {
          this.failedAccounts.add(accountId);
          this.failure ??= err instanceof Error ? err.message : String(err);
        }
        throw err;
      },
    );
  }

  private async ask(
    input: CostInput,
    options: PaginateOptions,
    accounts: readonly string[],
  ): Promise<Map<string, Paginated<CostOutput>>> {
    const grouping = sharedGrouping(input.GroupBy)!;
    this.requests++;
    const clause: Expression = { Dimensions: { Key: LINKED_ACCOUNT, Values: [...accounts] } };
    const request: CostInput = {
      ...input,
      GroupBy: grouping.groupBy,
      Filter: input.Filter ? { And: [input.Filter, clause] } : clause,
    };
    // The pages the accounts would have read on their own, at most: the payer's answer holds all of theirs.
    const maxPages = (options.maxPages ?? this.payerContext.config.maxPages) * accounts.length;
    const read = await this.payerContext.paginate('ce:GetCostAndUsage', request, this.payer, {
      ...options,
      maxPages,
    });
    // Cut by the page bound, the shares would be cut elsewhere than each account's own answer: the accounts are
    // asked on their own instead, so the route never answers other figures than the fan-out. (Cut by the deadline,
    // the fan-out would be cut too: the shares go out with the deadline's note.)
    if (read.more && !read.incomplete) {
      throw new ToolInputError(
        `the payer's answer has more than ${maxPages} pages; ask fewer accounts at once or narrow the range`,
      );
    }
    return splitByAccount(read, accounts, input, grouping);
  }
}

/** How a request is grouped in the payer, or undefined when LINKED_ACCOUNT cannot be added. */
function sharedGrouping(groupBy: readonly GroupDefinition[] | undefined): SharedGrouping | undefined {
  const own = [...(groupBy ?? [])];
  const position = own.findIndex((g) => g.Type === 'DIMENSION' && g.Key === LINKED_ACCOUNT);
  if (position >= 0) return { groupBy: own, position, prepended: false };
  // Cost Explorer groups by two keys at most.
  if (own.length >= 2) return undefined;
  return { groupBy: [{ Type: 'DIMENSION', Key: LINKED_ACCOUNT }, ...own], position: 0, prepended: true };
}

/**
 * Each account's share of the payer's LINKED_ACCOUNT-grouped answer, as the account's own Cost Explorer answers its
 * request: the same buckets in order (a bucket split across pages is joined), its groups with the account key taken
 * out where it was added, or, for an ungrouped request, its one group as the bucket's Total. An account without costs
 * in a bucket gets a zero Total there, as Cost Explorer answers an account without costs.
 */
export function splitByAccount(
  read: Paginated<CostOutput>,
  accounts: readonly string[],
  memberInput: CostInput,
  grouping: SharedGrouping,
): Map<string, Paginated<CostOutput>> {
  const metrics = memberInput.Metrics ?? [];
  const memberGrouped = (memberInput.GroupBy?.length ?? 0) > 0;
  const units = new Map<string, string>();
  const buckets = new Map<
    string,
    { start: string; end: string; estimated: boolean; groups: Map<string, Group[]> }
  >();
  for (const r of read.pages.flatMap((p) => p.ResultsByTime ?? [])) {
    const start = r.TimePeriod?.Start ?? '';
    const end = r.TimePeriod?.End ?? '';
    const key = `${start}|${end}`;
    const bucket = buckets.get(key) ?? { start, end, estimated: false, groups: new Map<string, Group[]>() };
    bucket.estimated ||= r.Estimated === true;
    for (const g of r.Groups ?? []) {
      const account = g.Keys?.[grouping.position];
      if (account === undefined) continue;
      for (const [m, v] of Object.entries(g.Metrics ?? {})) if (v.Unit) units.set(m, v.Unit);
      const keys = grouping.prepended ? (g.Keys ?? []).slice(1) : g.Keys;
      const list = bucket.groups.get(account) ?? [];
      list.push({ ...g, Keys: keys });
      bucket.groups.set(account, list);
    }
    buckets.set(key, bucket);
  }
  const ordered = [...buckets.values()].sort((a, b) => a.start.localeCompare(b.start));
  const zero = (m: string) => ({ Amount: '0', Unit: units.get(m) ?? 'USD' });
  const answers = new Map<string, Paginated<CostOutput>>();
  for (const account of accounts) {
    const results: ResultByTime[] = ordered.map((b) => {
      const groups = b.groups.get(account) ?? [];
      const base = { TimePeriod: { Start: b.start, End: b.end }, Estimated: b.estimated };
      if (memberGrouped) return { ...base, Total: {}, Groups: groups };
      const figures = groups[0]?.Metrics ?? {};
      return {
        ...base,
        Total: Object.fromEntries(metrics.map((m) => [m, figures[m] ?? zero(m)])),
        Groups: [],
      };
    });
    answers.set(account, {
      pages: [
        {
          ResultsByTime: results,
          ...(memberGrouped ? { GroupDefinitions: memberInput.GroupBy } : {}),
          DimensionValueAttributes: [],
        },
      ],
      more: read.more,
      ...(read.incomplete ? { incomplete: read.incomplete } : {}),
      ...(read.note ? { note: read.note } : {}),
    });
  }
  return answers;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeFanout(accountIds: readonly string[], reason: string): RouteDescription {
  return {
    text: `Route: each account asked with its own requests (fan-out): ${reason}.`,
    data: { kind: 'fan-out', via_payer: [], on_own: [...accountIds], payer_paid_requests: 0, reason },
  };
}

function describePayer(
  accountIds: readonly string[],
  payer: string,
  viaPayer: readonly string[],
  retried: readonly string[],
  routeMeter: UsageMeter,
  reads: SharedCostReads,
): RouteDescription {
  const answered = viaPayer.filter((a) => reads.servedAccounts.has(a) && !retried.includes(a));
  if (answered.length === 0) {
    return describeFanout(
      accountIds,
      retried.length
        ? `the payer's answer could not be used (${reads.failure}), so every account was asked on its own`
        : `no request of this call could be grouped by LINKED_ACCOUNT in payer ${payer}`,
    );
  }
  const onOwn = accountIds.filter((a) => !answered.includes(a));
  const paid = routeMeter.paidRequests;
  const reasons: string[] = [];
  if (accountIds.includes(payer)) {
    reasons.push(`${payer} is the payer itself (LINKED_ACCOUNT does not list a management account)`);
  }
  const outside = accountIds.filter((a) => a !== payer && !viaPayer.includes(a));
  if (outside.length) reasons.push(`${outside.join(', ')} outside its organization`);
  if (retried.length) {
    reasons.push(`${retried.join(', ')} as the payer's answer could not be used (${reads.failure})`);
  }
  const unserved = viaPayer.filter((a) => !answered.includes(a) && !retried.includes(a));
  if (unserved.length) reasons.push(`${unserved.join(', ')} not read through the payer (see their sections)`);
  const cost =
    paid > 0
      ? `${plural(paid, 'paid Cost Explorer request')} (pages included)`
      : 'no paid request (answered from the cache)';
  const text =
    `Route: payer account ${payer} answered the cost figures of ${plural(answered.length, 'account')} of its ` +
    `organization from ${plural(reads.requests, 'LINKED_ACCOUNT-grouped request')} there: ${cost}, instead of ` +
    `requests in each account.` +
    (reads.directReads > 0
      ? ' Their other reads (no LINKED_ACCOUNT grouping for them) went to each account.'
      : '') +
    (onOwn.length ? ` Asked on their own: ${reasons.join('; ')}.` : '');
  return {
    text,
    data: {
      kind: 'payer',
      payer_account_id: payer,
      via_payer: answered,
      on_own: onOwn,
      payer_paid_requests: paid,
      ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    },
  };
}
