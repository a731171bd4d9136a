import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AwsOperation } from '../aws/actions';
import { AwsCallError } from '../aws/errors';
import { UsageMeter, type AccountScope, type AwsGateway } from '../aws/gateway';
import type { InputOf, OutputOf } from '../aws/operations';
import type { ServerConfig } from '../config';
import { toIsoDate } from '../core/dates';
import { ToolInputError } from '../core/errors';
import { capText } from '../core/format';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { Paginated, PaginateOptions, ToolContext, ToolDefinition } from './types';

/** What the tools share for the life of the process. */
export interface ToolDeps {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly gateway: AwsGateway;
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
  if (meter.cacheHits > 0) parts.push(`${meter.cacheHits} answered from cache (data fetched ${fetchedAt})`);
  return {
    text: `API usage: ${parts.join('; ')}.`,
    data: {
      requests: meter.requests,
      paid_requests: meter.paidRequests,
      cost_usd: cost,
      cache_hits: meter.cacheHits,
      ...(fetchedAt ? { data_fetched_at: fetchedAt } : {}),
    },
  };
}

function createContext(
  deps: ToolDeps,
  signal: AbortSignal,
  refresh: boolean,
  meter: UsageMeter,
): ToolContext {
  const { config, log, gateway } = deps;
  const now = deps.now ? deps.now() : new Date();
  const call = <O extends AwsOperation>(
    operation: O,
    input: InputOf<O>,
    account: AccountScope,
    options?: { region?: string },
  ): Promise<OutputOf<O>> =>
    gateway.call(operation, input, { account, region: options?.region, signal, meter, refresh });

  return {
    config,
    log,
    now,
    signal,
    meter,
    refresh,
    async account(targetAccountId) {
      const own = await gateway.ownAccountId(signal);
      if (targetAccountId === undefined || targetAccountId === own) return { accountId: own, isOwn: true };
      if (!/^\d{12}$/.test(targetAccountId)) {
        throw new ToolInputError(
          `target_account_id must be a 12-digit AWS account id, got "${targetAccountId.slice(0, 20)}".`,
        );
      }
      if (!gateway.isAllowedTarget(targetAccountId)) {
        const allowed = gateway.allowedTargets;
        throw new ToolInputError(
          `Account ${targetAccountId} is not in this server's allowed target accounts ` +
            `(${allowed === '*' ? 'any' : allowed.length ? allowed.join(', ') : 'none: only its own account ' + own}). ` +
            `Ask the operator to add it (memberAccountIds or the organization settings of the deployment).`,
        );
      }
      return { accountId: targetAccountId, isOwn: false };
    },
    call,
    async paginate<O extends AwsOperation>(
      operation: O,
      input: InputOf<O>,
      account: AccountScope,
      options: PaginateOptions,
    ): Promise<Paginated<OutputOf<O>>> {
      const maxPages = options.maxPages ?? config.maxPages;
      const pages: OutputOf<O>[] = [];
      let token: string | undefined;
      do {
        const request = (token ? { ...input, [options.inputToken]: token } : input) as InputOf<O>;
        try {
          const page = await call(operation, request, account, { region: options.region });
          pages.push(page);
          token = (page as Record<string, unknown>)[options.outputToken] as string | undefined;
        } catch (err) {
          // Pages already read are still an answer; say what is missing rather than failing the whole call.
          if (err instanceof AwsCallError && err.kind === 'deadline' && pages.length > 0) {
            return {
              pages,
              more: true,
              incomplete: `incomplete: the tool deadline (${config.toolDeadlineSeconds} s) stopped reading after ${pages.length} page(s); narrow the range or filters for the rest.`,
            };
          }
          throw err;
        }
      } while (token && pages.length < maxPages);
      return { pages, more: Boolean(token) };
    },
  };
}

/**
 * Runs one tool call: a deadline, a usage meter, the handler, and one place where every failure becomes an
 * `isError` result. Unexpected errors are logged in full and reported without internals.
 */
export async function runTool(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  deps: ToolDeps,
): Promise<CallToolResult> {
  const controller = new AbortController();
  const deadlineMs = deps.config.toolDeadlineSeconds * 1000;
  const timer = setTimeout(() => {
    const reason = new Error(`Tool deadline of ${deps.config.toolDeadlineSeconds} s reached`);
    reason.name = 'DeadlineExceeded';
    controller.abort(reason);
  }, deadlineMs);
  timer.unref?.();
  const meter = new UsageMeter();
  const started = Date.now();
  try {
    const ctx = createContext(deps, controller.signal, args.refresh === true, meter);
    const answer = await tool.handler(args as never, ctx);
    const usage = usageLine(meter);
    const computedOn = toIsoDate(ctx.now);
    const notes = (answer.data.notes as string[] | undefined) ?? [];
    const body = capText(
      `${answer.text}\n\n${notes.length ? notes.map((n) => `Note: ${n}`).join('\n') + '\n' : ''}` +
        `Computed on ${computedOn} (UTC). ${usage.text}`,
      'Narrow the range, add filters, or group by fewer keys.',
    );
    deps.log.info('tool call', {
      tool: tool.name,
      ms: Date.now() - started,
      requests: meter.requests,
      paidRequests: meter.paidRequests,
      cacheHits: meter.cacheHits,
    });
    return {
      content: [{ type: 'text', text: body.text }],
      structuredContent: {
        ...answer.data,
        ...(body.truncated ? { notes: [...notes, 'The text answer was cut to 16 KB.'] } : {}),
        computed_on: computedOn,
        api: usage.data,
      },
    };
  } catch (err) {
    if (err instanceof ToolInputError) return errorResult(err.message);
    if (err instanceof AwsCallError) return errorResult(err.message);
    deps.log.error('tool failed unexpectedly', { tool: tool.name, ...describeError(err) });
    return errorResult(
      `${tool.name} failed unexpectedly; the error was logged. Try again, or narrow the request.`,
    );
  } finally {
    clearTimeout(timer);
  }
}
