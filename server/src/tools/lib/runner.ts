import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../../access/caller';
import { SCOPE_RULES, unrestrictableReason } from '../../access/enforce';
import { AccessRefused, type AccessScope, describeScope, scopeFor, UNRESTRICTED } from '../../access/policy';
import type { AwsOperation } from '../../aws/actions';
import { AwsCallError } from '../../aws/errors';
import { UsageMeter, type AccountScope, type AwsGateway } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import type { ServerConfig } from '../../config';
import { toIsoDate } from '../../billing/dates';
import { ToolInputError } from '../../billing/errors';
import { capText, MAX_TEXT_BYTES } from '../../billing/format';
import type { Logger } from '../../log';
import { describeError } from '../../log';
import { QueryError } from '../../query/engine';
import { type AccountNames, resolveAccountNames } from './accounts';
import { fanoutTargets, runFanout, TIMED_OUT } from './fanout';
import { planPayerRoute } from './payer-route';
import { readPages, type PageReader, type Paginated, type PaginateOptions } from './pagination';
import type { ToolAnswer, ToolContext, ToolDefinition } from './types';

/** What the tools share for the life of the process. */
export interface ToolDeps {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly gateway: AwsGateway;
  /** Account names for labels, learnt over the process's life (ACCOUNT_NAMES, then the directory reads). */
  readonly accountNames: AccountNames;
  /** The clock; tests and benchmarks may fix it. */
  readonly now?: () => Date;
}

/** The error result every expected failure goes through: `isError: true` and a message the user can act on. */
export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

function usageLine(meter: UsageMeter): { text: string; data: Record<string, unknown> } {
  const cost = (meter.paidRequests / 100).toFixed(2);
  const fetchedAt =
    meter.oldestCachedFetch !== undefined ? new Date(meter.oldestCachedFetch).toISOString() : undefined;
  const parts = [`${meter.requests} AWS request${meter.requests === 1 ? '' : 's'}`];
  if (meter.paidRequests > 0) parts.push(`${meter.paidRequests} paid Cost Explorer (${cost} USD)`);
  if (meter.scannedBytes > 0) {
    parts.push(`${meter.scannedBytes} bytes scanned by cost-data queries`);
  }
  const cached: string[] = [];
  if (meter.cacheHits > 0) cached.push(`${meter.cacheHits} answered from cache`);
  // Said apart: a shared-cache figure was fetched by another session, possibly minutes before this one started.
  if (meter.sharedCacheHits > 0) cached.push(`${meter.sharedCacheHits} from the shared cache`);
  if (cached.length > 0) parts.push(`${cached.join(', ')} (data fetched ${fetchedAt})`);
  return {
    text: `API usage: ${parts.join('; ')}.`,
    data: {
      requests: meter.requests,
      paid_requests: meter.paidRequests,
      cost_usd: cost,
      cache_hits: meter.cacheHits,
      shared_cache_hits: meter.sharedCacheHits,
      ...(fetchedAt ? { data_fetched_at: fetchedAt } : {}),
    },
  };
}

function createContext(
  deps: ToolDeps,
  signal: AbortSignal,
  refresh: boolean,
  meter: UsageMeter,
  now: Date,
  caller: { identity: Caller | undefined; scope: AccessScope },
): ToolContext {
  const { config, log, gateway, accountNames } = deps;
  const { scope } = caller;
  const call = <O extends AwsOperation>(
    operation: O,
    input: InputOf<O>,
    account: AccountScope,
    options?: { region?: string },
  ): Promise<OutputOf<O>> =>
    gateway.call(operation, input, { account, region: options?.region, signal, meter, refresh, scope });

  return {
    caller,
    config,
    log,
    now,
    signal,
    meter,
    refresh,
    gateway,
    accountNames,
    async account(targetAccountId) {
      const own = await gateway.ownAccountId(signal);
      const named = (accountId: string) => {
        const name = accountNames.nameOf(accountId);
        return name ? { name } : {};
      };
      if (targetAccountId === undefined || targetAccountId === own) {
        return { accountId: own, isOwn: true, ...named(own) };
      }
      if (!/^\d{12}$/.test(targetAccountId)) {
        throw new ToolInputError(
          `target_account_id must be a 12-digit AWS account id, got "${targetAccountId.slice(0, 20)}".`,
        );
      }
      checkTargets([targetAccountId], scope);
      if (!gateway.isAllowedTarget(targetAccountId)) {
        const allowed = gateway.allowedTargets;
        throw new ToolInputError(
          `Account ${targetAccountId} is not in this server's allowed target accounts ` +
            `(${allowed === '*' ? 'any' : allowed.length ? allowed.join(', ') : 'none: only its own account ' + own}). ` +
            `Ask the operator to add it (memberAccountIds or the organization settings of the deployment).`,
        );
      }
      return { accountId: targetAccountId, isOwn: false, ...named(targetAccountId) };
    },
    call,
    paginate<O extends AwsOperation>(
      operation: O,
      input: InputOf<O>,
      account: AccountScope,
      options: PaginateOptions,
    ): Promise<Paginated<OutputOf<O>>> {
      const read: PageReader<O> = (request, region) => call(operation, request, account, { region });
      const maxPages = options.maxPages ?? config.maxPages;
      return readPages(
        read,
        input,
        { ...options, maxPages, deadlineSeconds: config.toolDeadlineSeconds },
        signal,
      );
    },
  };
}

/** Explicit target accounts outside the caller's scope are refused before anything is asked of AWS. */
function checkTargets(accountIds: readonly (string | undefined)[], scope: AccessScope): void {
  if (scope.accounts === '*') return;
  const allowed = scope.accounts;
  const outside = accountIds.filter((a): a is string => a !== undefined && !allowed.includes(a));
  if (outside.length > 0) {
    throw new AccessRefused(
      `Refused: account${outside.length === 1 ? '' : 's'} ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} ` +
        `outside your access, which is limited to ${describeScope(scope)} (groups: ${scope.grantedBy.join(', ')}).`,
    );
  }
}

/** A tool all of whose account data is unrestrictable is refused for a scoped caller before it runs. */
function checkTool(tool: ToolDefinition, scope: AccessScope): void {
  if (scope.accounts === '*') return;
  const rules = tool.operations.filter((o) => SCOPE_RULES[o] !== 'public');
  if (rules.length > 0 && rules.every((o) => SCOPE_RULES[o] === 'unrestrictable')) {
    throw new AccessRefused(
      `Refused: ${tool.name} is not available to you: ${unrestrictableReason(rules[0])}, and your access is ` +
        `limited to ${describeScope(scope)}.`,
    );
  }
}

/**
 * The call's time budget. The soft deadline aborts AWS reads (SDK retries and backoff included) a little before
 * the budget, so the handler can still answer with what it read; the hard deadline is the budget itself, after
 * which the runner answers without waiting for the handler.
 */
interface Deadline {
  readonly signal: AbortSignal;
  readonly hardStop: Promise<typeof TIMED_OUT>;
  dispose(): void;
}

function startDeadline(seconds: number): Deadline {
  const budgetMs = seconds * 1000;
  // 10 % of the budget, between 0.2 s and 1 s: room to format a partial answer without giving up much reading time.
  const marginMs = Math.min(1_000, Math.max(200, budgetMs / 10));
  const controller = new AbortController();
  const soft = setTimeout(() => {
    const reason = new Error(`Tool deadline of ${seconds} s reached`);
    reason.name = 'DeadlineExceeded';
    controller.abort(reason);
  }, budgetMs - marginMs);
  let hard: NodeJS.Timeout | undefined;
  const hardStop = new Promise<typeof TIMED_OUT>((resolve) => {
    hard = setTimeout(() => resolve(TIMED_OUT), budgetMs);
  });
  return {
    signal: controller.signal,
    hardStop,
    dispose() {
      clearTimeout(soft);
      clearTimeout(hard);
    },
  };
}

/**
 * Runs one tool call: a deadline, a usage meter, the handler (once, or once per account for a fan-out), and one
 * place where every failure becomes an `isError` result. Unexpected errors are logged in full and reported
 * without internals.
 */
export async function runTool(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  deps: ToolDeps,
  identity?: Caller,
): Promise<CallToolResult> {
  const { config, log, gateway } = deps;
  const deadline = startDeadline(config.toolDeadlineSeconds);
  const meter = new UsageMeter();
  const started = Date.now();
  const now = deps.now ? deps.now() : new Date();
  const refresh = args.refresh === true;
  let scope: AccessScope = UNRESTRICTED;
  let scopeResolved = false;
  const context = (m: UsageMeter) =>
    createContext(deps, deadline.signal, refresh, m, now, { identity, scope });
  let outcome = 'ok';
  try {
    scope = scopeFor(config.accessPolicy, identity);
    scopeResolved = true;
    checkTool(tool, scope);
    // Names become ids first, so the checks below and the handler see only ids.
    args = await resolveAccountNames(args, context(meter));
    const accountIds = fanoutTargets(tool, args);
    checkTargets(
      [
        ...(accountIds ?? []),
        typeof args.target_account_id === 'string' ? args.target_account_id : undefined,
      ],
      scope,
    );
    let answer: ToolAnswer;
    if (accountIds) {
      // Every account asked is inside the caller's scope by now (checkTargets above); the route only decides
      // whether the organization's members are read through its payer.
      const route = tool.payerRoute
        ? await planPayerRoute({ accountIds, context, meter, concurrency: config.fanoutConcurrency })
        : undefined;
      answer = await runFanout(
        {
          tool,
          args,
          accountIds,
          concurrency: config.fanoutConcurrency,
          deadlineSeconds: config.toolDeadlineSeconds,
          signal: deadline.signal,
          hardStop: deadline.hardStop,
          meter,
          log,
          context,
          label: (accountId) => deps.accountNames.label(accountId),
        },
        route,
      );
    } else {
      const result = await Promise.race([tool.handler(args as never, context(meter)), deadline.hardStop]);
      if (result === TIMED_OUT) {
        outcome = 'deadline';
        return deadlineResult(tool, config);
      }
      answer = result;
    }
    return finish(answer, meter, now, scope);
  } catch (err) {
    outcome = err instanceof AccessRefused ? 'refused' : 'error';
    if (err instanceof ToolInputError) return errorResult(err.message);
    if (err instanceof AwsCallError && err.kind === 'deadline') {
      outcome = 'deadline';
      return deadlineResult(tool, config);
    }
    if (err instanceof AwsCallError) return errorResult(err.message);
    if (err instanceof QueryError) {
      if (err.kind === 'stopped') outcome = 'deadline';
      log.warn('cost data query failed', { tool: tool.name, kind: err.kind, queryId: err.queryId });
      return errorResult(err.message);
    }
    log.error('tool failed unexpectedly', { tool: tool.name, ...describeError(err) });
    return errorResult(
      `${tool.name} failed unexpectedly; the error was logged. Try again, or narrow the request.`,
    );
  } finally {
    deadline.dispose();
    const cumulative = gateway.paidRequestsByAccount();
    // The audit line: one per call, who asked for what and what it touched; never the token.
    log.info('tool call', {
      tool: tool.name,
      outcome,
      callerKind: identity?.kind ?? null,
      sub: identity?.sub ?? null,
      username: identity?.username ?? null,
      clientId: identity?.clientId ?? null,
      groups: identity?.groups ?? [],
      // null: the caller was refused before any scope applied.
      scope: scopeResolved ? scope.accounts : null,
      scopeGrantedBy: scope.grantedBy,
      accounts: [...meter.accounts].sort(),
      ms: Date.now() - started,
      requests: meter.requests,
      paidRequests: meter.paidRequests,
      cacheHits: meter.cacheHits,
      sharedCacheHits: meter.sharedCacheHits,
      // Running totals since start-up for the accounts this call paid in: what the server has spent per account.
      ...(meter.paidByAccount.size
        ? {
            paidRequestsSinceStart: Object.fromEntries(
              [...meter.paidByAccount.keys()].map((a) => [a, cumulative.get(a) ?? 0]),
            ),
          }
        : {}),
    });
  }
}

function deadlineResult(tool: ToolDefinition, config: ServerConfig): CallToolResult {
  return errorResult(
    `${tool.name} did not finish within the tool deadline of ${config.toolDeadlineSeconds} s (AWS was slow or ` +
      `throttling). Try again (answers already read are cached), or narrow the request.`,
  );
}

/** The answer text with its notes and usage footer, cut to the text budget, and the structured content. */
function finish(answer: ToolAnswer, meter: UsageMeter, now: Date, scope: AccessScope): CallToolResult {
  const usage = usageLine(meter);
  const computedOn = toIsoDate(now);
  const notes = [...((answer.data.notes as string[] | undefined) ?? [])];
  if (scope.accounts !== '*') {
    notes.push(
      `Restricted to your accounts (${scope.accounts.join(', ')}; access policy groups: ` +
        `${scope.grantedBy.join(', ')})` +
        (meter.restricted
          ? ': every Cost Explorer request was filtered to LINKED_ACCOUNT in these accounts, so figures and ' +
            'group-by-account rows cover only them.'
          : '.'),
    );
  }
  // The notes and the usage footer are never cut: only the answer body gives way to the 16 KB budget.
  const tail =
    `${notes.length ? notes.map((n) => `Note: ${n}`).join('\n') + '\n' : ''}` +
    `Computed on ${computedOn} (UTC). ${usage.text}`;
  const body = capText(
    answer.text,
    'Narrow the range, add filters, or group by fewer keys.',
    Math.max(1_024, MAX_TEXT_BYTES - Buffer.byteLength(tail) - 2),
  );
  return {
    content: [{ type: 'text', text: `${body.text}\n\n${tail}` }],
    structuredContent: {
      ...answer.data,
      ...(notes.length ? { notes } : {}),
      ...(body.truncated ? { notes: [...notes, 'The text answer was cut to 16 KB.'] } : {}),
      computed_on: computedOn,
      api: usage.data,
    },
  };
}
