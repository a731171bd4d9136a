import { z } from 'zod';
import { AwsCallError } from '../../aws/errors';
import type { UsageMeter } from '../../aws/gateway';
import { ToolInputError } from '../../billing/errors';
import { capText, MAX_TEXT_BYTES, table } from '../../billing/format';
import { exact, sum } from '../../billing/money';
import type { Logger } from '../../log';
import { accountReference, looseRows, moneyShape } from './params';
import { forEachLimited } from './concurrency';
import type { Money, ToolAnswer, ToolContext, ToolDefinition } from './types';

/** At most this many accounts in one fan-out call: five rounds at the default concurrency still fit the deadline. */
export const MAX_FANOUT_ACCOUNTS = 50;

/** The `target_account_ids` parameter every fan-out tool accepts, added by the tool registry. */
export const targetAccountIds = z
  .array(accountReference('target_account_ids'))
  .min(1)
  .max(MAX_FANOUT_ACCOUNTS)
  .optional()
  .describe(
    `Up to ${MAX_FANOUT_ACCOUNTS} account ids or names, queried in parallel: one section per account plus a ` +
      'combined total, and an error per failed account.',
  );

/**
 * Output fields of a fan-out answer, added to the output schema of every fan-out tool: `accounts`, one entry per
 * account asked (also `total`, `error`, `incomplete`, `paid_requests` and its single-account `answer`), and
 * `combined_total`, the exact sum of the totals with the count of `accounts` it covers. A payer-route tool's answer
 * also carries `route` (tools/lib/payer-route.ts), unlisted like every field the loose schema does not name.
 */
export const fanoutOutputShape = {
  accounts: looseRows({ account_id: z.string(), ok: z.boolean() }).optional(),
  combined_total: moneyShape.optional(),
};

/** The input shape of a fan-out tool: its own parameters plus `target_account_ids`. */
export function fanoutInputShape(tool: ToolDefinition): z.ZodRawShape {
  return { ...tool.inputSchema, target_account_ids: targetAccountIds };
}

/**
 * The output shape of a fan-out tool. A fan-out answer carries its per-account answers under `accounts`, so the
 * tool's own top-level fields become optional (they are present exactly when a single account was asked).
 */
export function fanoutToolOutputShape(tool: ToolDefinition): z.ZodRawShape {
  const own = Object.fromEntries(Object.entries(tool.outputSchema).map(([k, v]) => [k, z.optional(v)]));
  return { ...own, ...fanoutOutputShape };
}

/** The accounts a call fans out over, or undefined when it is a single-account call. */
export function fanoutTargets(tool: ToolDefinition, args: Record<string, unknown>): string[] | undefined {
  if (!tool.fanout || !Array.isArray(args.target_account_ids) || args.target_account_ids.length === 0) {
    return undefined;
  }
  const ids = [
    ...(typeof args.target_account_id === 'string' ? [args.target_account_id] : []),
    ...(args.target_account_ids as string[]),
  ];
  const unique = [...new Set(ids)];
  if (unique.length > MAX_FANOUT_ACCOUNTS) {
    throw new ToolInputError(
      `At most ${MAX_FANOUT_ACCOUNTS} accounts per call, got ${unique.length}; split the list into several calls.`,
    );
  }
  return unique;
}

/** Resolves to this value when the hard deadline passes before an awaited piece of work. */
export const TIMED_OUT = Symbol('timed out');

/** Everything the fan-out needs from the runner. */
export interface FanoutRun {
  readonly tool: ToolDefinition;
  readonly args: Record<string, unknown>;
  readonly accountIds: readonly string[];
  readonly concurrency: number;
  readonly deadlineSeconds: number;
  /** Fires at the soft deadline: no account is started after it. */
  readonly signal: AbortSignal;
  /** Resolves at the hard deadline: accounts still running are reported as not finished. */
  readonly hardStop: Promise<typeof TIMED_OUT>;
  readonly meter: UsageMeter;
  readonly log: Logger;
  /** A tool context counting into `meter`. */
  context(meter: UsageMeter): ToolContext;
  /** How an account reads in the answer: `name (id)` where its name is known. */
  label(accountId: string): string;
}

/**
 * Accounts of a multi-account call answered together: their handlers all start at once with contexts whose reads
 * are shared (the payer route, tools/lib/payer-route.ts). Every other account is asked on its own, as before.
 */
export interface GroupedAccounts {
  readonly accounts: ReadonlySet<string>;
  /** The context of one grouped account, counting into `meter`. */
  context(meter: UsageMeter): ToolContext;
  /** Grouped accounts whose shared read failed (not by the deadline): they are then asked on their own. */
  failed(): ReadonlySet<string>;
}

/** What a multi-account answer says about how its accounts were asked. */
export interface RouteDescription {
  readonly text: string;
  readonly data: Record<string, unknown>;
}

/** How the accounts of one call are asked, and how the answer describes it. */
export interface AccountsRoute {
  readonly grouped?: GroupedAccounts;
  /** Called once every account has answered; `retried` are the grouped accounts that were then asked on their own. */
  describe(retried: readonly string[]): RouteDescription;
}

type Outcome =
  | { kind: 'ok'; answer: ToolAnswer; meter: UsageMeter }
  | { kind: 'failed'; message: string; meter: UsageMeter }
  | { kind: 'unfinished'; meter: UsageMeter }
  | { kind: 'not-reached' };

/**
 * Runs a single-account handler for each account with bounded concurrency under one deadline, and assembles one
 * answer: a summary table with the combined total, then one section per account. Throws a ToolInputError when no
 * account answered (one message when they all failed the same way, e.g. a bad date).
 */
export async function runFanout(run: FanoutRun, route?: AccountsRoute): Promise<ToolAnswer> {
  const { tool, args, accountIds } = run;
  const outcomes: Outcome[] = accountIds.map(() => ({ kind: 'not-reached' }));
  const { target_account_ids: _ids, ...shared } = args;

  const answer = async (i: number, context: (meter: UsageMeter) => ToolContext) => {
    const meter = run.meter.child();
    try {
      const result = await Promise.race([
        tool.handler({ ...shared, target_account_id: accountIds[i] } as never, context(meter)),
        run.hardStop,
      ]);
      outcomes[i] =
        result === TIMED_OUT ? { kind: 'unfinished', meter } : { kind: 'ok', answer: result, meter };
    } catch (err) {
      // An account whose reads the deadline stopped is unfinished, not broken: it belongs in the incomplete note.
      outcomes[i] =
        err instanceof AwsCallError && err.kind === 'deadline'
          ? { kind: 'unfinished', meter }
          : { kind: 'failed', message: failureMessage(err, tool, run.log, accountIds[i]), meter };
    }
  };
  const grouped = route?.grouped;
  const indices = accountIds.map((_, i) => i);
  const together = grouped ? indices.filter((i) => grouped.accounts.has(accountIds[i])) : [];
  const alone = indices.filter((i) => !together.includes(i));
  await Promise.all([
    // Started in one go, so that their shared reads are asked together (the grouped context bounds the rest).
    Promise.all(together.map((i) => answer(i, (meter) => grouped!.context(meter)))),
    forEachLimited(alone.length, run.concurrency, run.signal, (k) => answer(alone[k], run.context)),
  ]);
  // A shared read that failed leaves its accounts to be asked on their own, as they would be without it.
  const failed = grouped?.failed();
  const retry = failed
    ? together.filter((i) => outcomes[i].kind === 'failed' && failed.has(accountIds[i]))
    : [];
  if (retry.length > 0) {
    await forEachLimited(retry.length, run.concurrency, run.signal, (k) => answer(retry[k], run.context));
  }
  return assemble(run, outcomes, route?.describe(retry.map((i) => accountIds[i])));
}

function failureMessage(err: unknown, tool: ToolDefinition, log: Logger, accountId: string): string {
  if (err instanceof ToolInputError || err instanceof AwsCallError) return err.message;
  log.error('fan-out account failed unexpectedly', {
    tool: tool.name,
    account: accountId,
    errorName: err instanceof Error ? err.name : typeof err,
    errorMessage: err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500),
  });
  return `${tool.name} failed unexpectedly for this account; the error was logged.`;
}

/** The answer's total, when it has one (typed on the answer: no field of its structured content is parsed). */
const totalOf = (answer: ToolAnswer): Money | undefined => answer.total;

const isIncomplete = (answer: ToolAnswer): boolean => answer.incomplete !== undefined;

function assemble(run: FanoutRun, outcomes: Outcome[], route: RouteDescription | undefined): ToolAnswer {
  const { accountIds } = run;
  const answered = outcomes.filter((o): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok');
  if (answered.length === 0) {
    const messages = outcomes.map((o, i) => `${accountIds[i]}: ${describeOutcome(o, run)}`);
    const distinct = new Set(outcomes.map((o) => describeOutcome(o, run)));
    throw new ToolInputError(
      distinct.size === 1
        ? `No account answered. ${[...distinct][0]}`
        : `No account answered:\n${messages.map((m) => `- ${m}`).join('\n')}`,
    );
  }

  const notes: string[] = [];
  const totals = answered.map((o) => totalOf(o.answer)).filter((t): t is Money => t !== undefined);
  const units = [...new Set(totals.map((t) => t.unit))];
  let combined: (Money & { accounts: number }) | undefined;
  if (totals.length > 0 && units.length === 1) {
    combined = { amount: exact(sum(totals.map((t) => t.amount))), unit: units[0], accounts: totals.length };
  } else if (units.length > 1) {
    notes.push(`No combined total: the accounts answered in different units (${units.join(', ')}).`);
  }
  const notReached = accountIds.filter((_, i) => outcomes[i].kind === 'not-reached');
  const unfinished = accountIds.filter((_, i) => outcomes[i].kind === 'unfinished');
  if (notReached.length || unfinished.length) {
    const parts = [
      ...(unfinished.length ? [`not finished: ${unfinished.join(', ')}`] : []),
      ...(notReached.length ? [`not reached: ${notReached.join(', ')}`] : []),
    ];
    notes.push(
      `incomplete: the tool deadline (${run.deadlineSeconds} s) stopped the fan-out before every account ` +
        `answered (${parts.join('; ')}); ask for those accounts again (answers already read are cached).`,
    );
  }
  const partial = answered.filter((o) => isIncomplete(o.answer)).length;

  const failedCount = outcomes.length - answered.length;
  const headline = combined
    ? `**Combined total over ${combined.accounts} of ${accountIds.length} accounts: ${combined.amount} ${combined.unit}**`
    : `**${answered.length} of ${accountIds.length} accounts answered**`;
  const lines = [
    `${headline}${failedCount ? ` (${failedCount} without an answer, see below)` : ''}` +
      `${partial ? `; ${partial} answered only in part` : ''}.`,
    ...(route ? [route.text] : []),
    '',
    table(
      ['Account', 'Total', 'Status'],
      [
        ...outcomes.map((o, i) => {
          const total = o.kind === 'ok' ? totalOf(o.answer) : undefined;
          return [
            run.label(accountIds[i]),
            total ? `${total.amount} ${total.unit}` : '',
            o.kind === 'ok' ? (isIncomplete(o.answer) ? 'incomplete' : 'ok') : shortStatus(o),
          ];
        }),
        ...(combined ? [['**Combined**', `**${combined.amount} ${combined.unit}**`, '']] : []),
      ],
    ),
  ];
  const head = lines.join('\n');
  // Every account keeps a section: the text budget left after the summary is split between them.
  const budget = Math.max(
    600,
    Math.floor((MAX_TEXT_BYTES - Buffer.byteLength(head) - 2_000) / outcomes.length),
  );
  const sections = outcomes.map((o, i) => {
    const title = `### Account ${run.label(accountIds[i])}`;
    if (o.kind !== 'ok') return `${title}\n${describeOutcome(o, run)}`;
    const ownNotes = ((o.answer.data.notes as string[] | undefined) ?? []).map((n) => `Note: ${n}`);
    const body = [o.answer.text, ...(ownNotes.length ? ['', ...ownNotes] : [])].join('\n');
    return `${title}\n${capText(body, `Ask for account ${accountIds[i]} alone for the full answer.`, budget).text}`;
  });

  return {
    text: [head, ...sections].join('\n\n'),
    data: {
      accounts: outcomes.map((o, i) => {
        const total = o.kind === 'ok' ? totalOf(o.answer) : undefined;
        return {
          account_id: accountIds[i],
          ok: o.kind === 'ok',
          ...(total ? { total } : {}),
          ...(o.kind !== 'ok' ? { error: describeOutcome(o, run) } : {}),
          ...(o.kind === 'ok' && isIncomplete(o.answer) ? { incomplete: true } : {}),
          paid_requests: o.kind === 'not-reached' ? 0 : o.meter.paidRequests,
          ...(o.kind === 'ok' ? { answer: o.answer.data } : {}),
        };
      }),
      ...(combined ? { combined_total: combined } : {}),
      ...(route ? { route: route.data } : {}),
      notes,
    },
  };
}

function shortStatus(o: Outcome): string {
  switch (o.kind) {
    case 'failed':
      return 'failed';
    case 'unfinished':
      return 'not finished before the deadline';
    case 'not-reached':
      return 'not reached before the deadline';
    default:
      return 'ok';
  }
}

function describeOutcome(o: Outcome, run: FanoutRun): string {
  switch (o.kind) {
    case 'failed':
      return o.message;
    case 'unfinished':
      return `Did not finish before the tool deadline (${run.deadlineSeconds} s); ask for this account alone.`;
    case 'not-reached':
      return `Not reached before the tool deadline (${run.deadlineSeconds} s); ask for this account alone.`;
    default:
      return 'answered';
  }
}
