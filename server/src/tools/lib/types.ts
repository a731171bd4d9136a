import type { z } from 'zod';
import type { AwsOperation } from '../../aws/actions';
import type { AccountScope, AwsGateway, CallOptions, UsageMeter } from '../../aws/gateway';
import type { InputOf, OutputOf } from '../../aws/operations';
import type { ServerConfig } from '../../config';
import type { Logger } from '../../log';

/** Everything a tool handler may use; handlers never read process.env or create AWS clients. */
export interface ToolContext {
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

export interface PaginateOptions {
  /** The request field carrying the page token, e.g. NextPageToken. */
  readonly inputToken: string;
  /** The response field carrying the next page token. */
  readonly outputToken: string;
  readonly region?: string;
  readonly maxPages?: number;
}

export interface Paginated<T> {
  readonly pages: T[];
  /** More pages exist than were read (the page bound or the deadline stopped reading). */
  readonly more: boolean;
  /** Why reading stopped early, in words for the answer, if it did. */
  readonly incomplete?: string;
}

/** What a handler returns: the answer text (leading with the answer) and its structured form. */
export interface ToolAnswer {
  readonly text: string;
  readonly data: Record<string, unknown>;
}

/** One MCP tool: its contract and its handler. */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** Kebab-case, verb first. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Shape;
  /** Tool-specific output fields; the common ones (account, range, api usage) are added by defineTool. */
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
  handler(args: z.infer<z.ZodObject<Shape>>, ctx: ToolContext): Promise<ToolAnswer>;
}

/** Identity helper that infers the argument types of a tool's handler from its input schema. */
export function defineTool<Shape extends z.ZodRawShape>(tool: ToolDefinition<Shape>): ToolDefinition<Shape> {
  return tool;
}
