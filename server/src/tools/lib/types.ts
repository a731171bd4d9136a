import type { z } from 'zod';
import type { Caller } from '../../access/caller';
import type { AccessScope } from '../../access/policy';
import type { AwsOperation } from '../../aws/actions';
import type { AccountNames } from './accounts';
import type { Paginated, PaginateOptions } from './pagination';
import type { AccountScope, AwsGateway, CallOptions, UsageMeter } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import type { ServerConfig } from '../../config';
import type { Logger } from '../../log';

/** Who is calling and what they may see. */
export interface CallerContext {
  /** The verified caller; undefined when no verified token reached the server (allowed only without a policy). */
  readonly identity: Caller | undefined;
  /**
   * The accounts this call may see: `'*'` (no restriction beyond the server's allowed targets) or a list. Every
   * `call`/`paginate` request is already restricted to it by the gateway; a tool querying another data source
   * (e.g. SQL over a FOCUS table) must apply it itself, e.g. `SubAccountId IN (…)` for a list.
   */
  readonly scope: AccessScope;
}

/** Everything a tool handler may use; handlers never read process.env or create AWS clients. */
export interface ToolContext {
  /** The caller and its account scope (ACCESS_POLICY). */
  readonly caller: CallerContext;
  readonly config: ServerConfig;
  readonly log: Logger;
  /** The moment this call started: every relative period resolves against it. */
  readonly now: Date;
  /**
   * Fires shortly before the tool deadline, so a handler has time to answer with what it has: reads then fail
   * with an AwsCallError of kind `deadline`, and `paginate` returns the pages read with an `incomplete` note.
   */
  readonly signal: AbortSignal;
  readonly meter: UsageMeter;
  /** The caller asked to bypass the answer cache. */
  readonly refresh: boolean;
  /** The gateway, for the cost-data engines (Athena calls and the answer cache); other tools use call/paginate. */
  readonly gateway: AwsGateway;
  /** Account names known to the process (labels), and what it remembers of the account directory's sources. */
  readonly accountNames: AccountNames;
  /** Resolves `target_account_id` (absent = the own account), refusing accounts that are not allowed. */
  account(targetAccountId: string | undefined): Promise<AccountScope>;
  /** Calls one catalogued operation in an account. */
  call<O extends AwsOperation>(
    operation: O,
    input: InputOf<O>,
    account: AccountScope,
    options?: Pick<CallOptions, 'region'>,
  ): Promise<OutputOf<O>>;
  /** Follows a paginated operation up to `maxPages` (default: config.maxPages). */
  paginate<O extends AwsOperation>(
    operation: O,
    input: InputOf<O>,
    account: AccountScope,
    options: PaginateOptions,
  ): Promise<Paginated<OutputOf<O>>>;
}

/** An exact amount as a decimal string, with its unit. */
export interface Money {
  readonly amount: string;
  readonly unit: string;
}

/** What a handler returns: the answer text (leading with the answer) and its structured form. */
export interface ToolAnswer {
  readonly text: string;
  readonly data: Record<string, unknown>;
  /** The answer's headline figure, the one a multi-account answer adds up across accounts. */
  readonly total?: Money;
  /** Set when the figures cover less than was asked (the deadline stopped a read): why, in words. */
  readonly incomplete?: string;
}

/** One MCP tool: its contract and its handler. */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** Kebab-case, verb first. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Shape;
  /** The answer's key fields, listed in tools/list; loose objects, so every field the handler writes is accepted. */
  readonly outputSchema: z.ZodRawShape;
  /** Every AWS operation the handler may call: checked against the IAM catalogue in tests. */
  readonly operations: readonly AwsOperation[];
  /**
   * Opt in to multi-account fan-out: the tool then also accepts `target_account_ids`, and the runner calls the
   * handler once per account (bounded concurrency, shared deadline) and answers with one section per account, a
   * combined total (the exact sum of each answer's `total` when the units agree) and a per-account error where an
   * account fails. The handler itself stays single-account; it must take `target_account_id`.
   */
  readonly fanout?: boolean;
  /**
   * A fan-out tool whose answers are Cost Explorer GetCostAndUsage figures may opt in to the payer route: when the
   * server can query its organization's payer, the accounts of that organization are answered from one
   * LINKED_ACCOUNT-grouped request there (plus its pages) instead of one set of requests per account, with the same
   * handler and the same figures (tools/lib/payer-route.ts). Its other reads still go to each account.
   */
  readonly payerRoute?: boolean;
  handler(args: z.infer<z.ZodObject<Shape>>, ctx: ToolContext): Promise<ToolAnswer>;
}

/** Identity helper that infers the argument types of a tool's handler from its input schema. */
export function defineTool<Shape extends z.ZodRawShape>(tool: ToolDefinition<Shape>): ToolDefinition<Shape> {
  return tool;
}
