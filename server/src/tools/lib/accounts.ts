import { refuseUnseenAccount, visibleAccounts } from '../../access/enforce';
import type { AccessScope } from '../../access/policy';
import type { AwsOperation } from '../../aws/actions';
import { AwsCallError } from '../../aws/errors';
import type { AccountScope } from '../../aws/gateway';
import { monthStart, toIsoDate, utcDay } from '../../billing/dates';
import { ToolInputError } from '../../billing/errors';
import { forEachLimited } from './concurrency';
import type { ToolContext } from './types';

/**
 * The account directory: which accounts exist and what they are called, read from the first source that answers
 * (AWS Organizations, else the names Cost Explorer gives LINKED_ACCOUNT values, else ACCOUNT_NAMES), and the
 * resolution of account names that callers pass instead of ids.
 */

/** Every operation the directory may call: list-accounts declares them, and name resolution uses them too. */
export const ACCOUNT_DIRECTORY_OPERATIONS = [
  'sts:GetCallerIdentity',
  'organizations:ListAccounts',
  'organizations:DescribeOrganization',
  'organizations:ListParents',
  'organizations:DescribeOrganizationalUnit',
  'ce:GetDimensionValues',
] as const satisfies readonly AwsOperation[];

/** Where a directory's names came from. */
export type NameSource = 'organizations' | 'cost-explorer' | 'account-names';

/** How each source reads in answers. */
export const SOURCE_LABELS: Readonly<Record<NameSource, string>> = {
  organizations: 'AWS Organizations',
  'cost-explorer': "Cost Explorer's LINKED_ACCOUNT names",
  'account-names': "the server's ACCOUNT_NAMES setting",
};

export interface DirectoryAccount {
  readonly id: string;
  readonly name?: string;
  /** The part of the account's email address after the @, never the address itself. */
  readonly emailDomain?: string;
  readonly status?: string;
  /** `Root/<OU>/<OU>`, filled in by {@link addOuPaths}. */
  readonly ouPath?: string;
}

export interface AccountDirectory {
  /** undefined: no source named any account. */
  readonly source: NameSource | undefined;
  readonly accounts: readonly DirectoryAccount[];
  /** The account the list was read in (Organizations, Cost Explorer). */
  readonly readIn?: string;
  /** Why earlier sources gave nothing, and what is missing. */
  readonly notes: readonly string[];
  /** The list stopped early (page bound or deadline). */
  readonly more: boolean;
}

/** Organizations ListAccounts answers at most 20 accounts a page; 100 pages cover 2,000 accounts. */
const LIST_ACCOUNTS_PAGE_SIZE = 20;
const DIRECTORY_MAX_PAGES = 100;
/** Names remembered for labels at most: far above any organization's account count. */
const MAX_REMEMBERED_NAMES = 20_000;
/** OUs nest at most five deep under the root; a longer chain means a malformed answer. */
const MAX_OU_DEPTH = 8;
/** Organizations requests in flight at once for OU paths (its request rate is low). */
const OU_CONCURRENCY = 4;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * What the process knows about account names, for labelling answers (`name (id)`) without a request of their own:
 * ACCOUNT_NAMES from the start, then every directory read (list-accounts, or a call that named an account). Also
 * remembers, for the cache's lifetime, that Organizations could not be read, so name lookups do not ask again.
 */
export class AccountNames {
  private readonly names = new Map<string, string>();
  private organizationsUnreadable:
    { until: number; reason: string; managementAccountId: string | undefined } | undefined;

  constructor(
    configured: Readonly<Record<string, string>>,
    private readonly memoryMs: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const [id, name] of Object.entries(configured)) this.names.set(id, name);
  }

  nameOf(accountId: string): string | undefined {
    return this.names.get(accountId);
  }

  /** `name (id)` where a name is known, else the id. */
  label(accountId: string): string {
    const name = this.names.get(accountId);
    return name ? `${name} (${accountId})` : accountId;
  }

  learn(directory: AccountDirectory): void {
    for (const account of directory.accounts) {
      if (!account.name) continue;
      if (this.names.size >= MAX_REMEMBERED_NAMES && !this.names.has(account.id)) break;
      this.names.set(account.id, account.name);
    }
  }

  /** Why Organizations could not be read a moment ago (and the management account then found), while remembered. */
  unreadable(): { reason: string; managementAccountId: string | undefined } | undefined {
    const memo = this.organizationsUnreadable;
    if (memo && memo.until > this.now()) return memo;
    this.organizationsUnreadable = undefined;
    return undefined;
  }

  rememberUnreadable(reason: string, managementAccountId: string | undefined): void {
    if (this.memoryMs > 0) {
      this.organizationsUnreadable = { until: this.now() + this.memoryMs, reason, managementAccountId };
    }
  }
}

/** The email address's domain only: the address itself names a person or a mailbox and stays out of answers. */
export function emailDomain(email: string | undefined): string | undefined {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 0 || at === email.length - 1) return undefined;
  return email.slice(at + 1).toLowerCase();
}

/** The failure as a short reason for a note; deadline failures are not reasons, they end the call. */
function reasonOf(err: unknown): string {
  if (!(err instanceof AwsCallError) || err.kind === 'deadline') throw err;
  if (err.kind === 'access-denied') return 'access denied';
  if (err.kind === 'assume-role-denied') return 'its member role could not be assumed';
  return err.awsErrorName ?? err.kind;
}

/** Reads the whole account list of the organization in `account` (management account or delegated administrator). */
async function listOrganization(ctx: ToolContext, account: AccountScope): Promise<AccountDirectory> {
  const read = await ctx.paginate(
    'organizations:ListAccounts',
    { MaxResults: LIST_ACCOUNTS_PAGE_SIZE },
    account,
    {
      inputToken: 'NextToken',
      outputToken: 'NextToken',
      maxPages: DIRECTORY_MAX_PAGES,
      items: 'accounts',
      advice: 'the list shows the accounts read',
    },
  );
  const accounts = read.pages
    .flatMap((page) => page.Accounts ?? [])
    .filter((a): a is typeof a & { Id: string } => typeof a.Id === 'string')
    .map((a) => ({
      id: a.Id,
      ...(a.Name ? { name: a.Name } : {}),
      ...(emailDomain(a.Email) ? { emailDomain: emailDomain(a.Email) } : {}),
      ...((a.State ?? a.Status) ? { status: a.State ?? a.Status } : {}),
    }));
  return {
    source: 'organizations',
    accounts,
    readIn: account.accountId,
    notes: read.note ? [read.note] : [],
    more: read.more,
  };
}

/**
 * The organization's accounts, when the server can read them: in its own account (the management account or a
 * delegated administrator), else in the management account through its member role. The management account is
 * what DescribeOrganization says (it answers from any member account), else PAYER_ACCOUNT_ID.
 */
async function fromOrganizations(
  ctx: ToolContext,
  own: AccountScope,
  notes: string[],
): Promise<{ directory?: AccountDirectory; managementAccountId?: string }> {
  const remembered = ctx.refresh ? undefined : ctx.accountNames.unreadable();
  if (remembered) {
    notes.push(remembered.reason);
    return { managementAccountId: remembered.managementAccountId };
  }
  const failures: string[] = [];
  try {
    return { directory: await listOrganization(ctx, own), managementAccountId: own.accountId };
  } catch (err) {
    failures.push(`in ${own.accountId}: ${reasonOf(err)}`);
  }
  let management: string | undefined;
  try {
    const described = await ctx.call('organizations:DescribeOrganization', {}, own);
    management = described.Organization?.MasterAccountId;
  } catch (err) {
    failures.push(`DescribeOrganization: ${reasonOf(err)}`);
  }
  management = management && ACCOUNT_ID.test(management) ? management : ctx.config.payerAccountId;
  if (management && management !== own.accountId) {
    if (ctx.gateway.isAllowedTarget(management)) {
      try {
        const directory = await listOrganization(ctx, { accountId: management, isOwn: false });
        return { directory, managementAccountId: management };
      } catch (err) {
        failures.push(`in the management account ${management}: ${reasonOf(err)}`);
      }
    } else {
      failures.push(`the management account ${management} is not an allowed target`);
    }
  }
  const reason = `AWS Organizations could not be read (${failures.join('; ')}).`;
  ctx.accountNames.rememberUnreadable(reason, management);
  notes.push(reason);
  return { managementAccountId: management };
}

/**
 * The names Cost Explorer gives the LINKED_ACCOUNT values of the last twelve months, read in the management
 * account when it is known and may be queried (its Cost Explorer lists every member), else in the server's own.
 * One paid request per page.
 */
async function fromCostExplorer(
  ctx: ToolContext,
  own: AccountScope,
  management: string | undefined,
  notes: string[],
): Promise<AccountDirectory | undefined> {
  const account: AccountScope =
    management && management !== own.accountId && ctx.gateway.isAllowedTarget(management)
      ? { accountId: management, isOwn: false }
      : own;
  const today = utcDay(ctx.now);
  try {
    const read = await ctx.paginate(
      'ce:GetDimensionValues',
      {
        TimePeriod: { Start: toIsoDate(monthStart(today, -12)), End: toIsoDate(today) },
        Dimension: 'LINKED_ACCOUNT',
        Context: 'COST_AND_USAGE',
      },
      account,
      { inputToken: 'NextPageToken', outputToken: 'NextPageToken', items: 'accounts' },
    );
    const accounts = read.pages
      .flatMap((page) => page.DimensionValues ?? [])
      .filter(
        (v): v is typeof v & { Value: string } => typeof v.Value === 'string' && ACCOUNT_ID.test(v.Value),
      )
      .map((v) => ({
        id: v.Value,
        ...(v.Attributes?.description ? { name: v.Attributes.description } : {}),
      }));
    if (accounts.some((a) => a.name)) {
      return {
        source: 'cost-explorer',
        accounts,
        readIn: account.accountId,
        notes: read.note ? [read.note] : [],
        more: read.more,
      };
    }
    notes.push(`Cost Explorer in ${account.accountId} names no linked account.`);
    return { source: undefined, accounts, readIn: account.accountId, notes: [], more: read.more };
  } catch (err) {
    notes.push(`Cost Explorer could not list linked accounts in ${account.accountId} (${reasonOf(err)}).`);
    return undefined;
  }
}

/** Reads the directory from the first source that names accounts. Only the tool deadline makes it fail. */
export async function loadDirectory(ctx: ToolContext): Promise<AccountDirectory> {
  const own = await ctx.account(undefined);
  const notes: string[] = [];
  const org = await fromOrganizations(ctx, own, notes);
  let directory: AccountDirectory | undefined = org.directory;
  let unnamed: AccountDirectory | undefined;
  if (!directory) {
    const ce = await fromCostExplorer(ctx, own, org.managementAccountId, notes);
    if (ce?.source) directory = { ...ce, notes: [...notes, ...ce.notes] };
    else unnamed = ce;
  }
  if (!directory) {
    const configured = Object.entries(ctx.config.accountNames);
    directory =
      configured.length > 0
        ? {
            source: 'account-names',
            accounts: configured.map(([id, name]) => ({ id, name })),
            notes,
            more: false,
          }
        : {
            source: undefined,
            accounts: unnamed?.accounts ?? [],
            ...(unnamed?.readIn ? { readIn: unnamed.readIn } : {}),
            notes: [...notes, 'ACCOUNT_NAMES is not set.'],
            more: unnamed?.more ?? false,
          };
  }
  ctx.accountNames.learn(directory);
  return directory;
}

/**
 * Adds `Root/<OU>/…` to the first `limit` accounts (ListParents up the tree, DescribeOrganizationalUnit for each
 * OU's name, every answer cached and shared between accounts of one OU). A failed or late lookup leaves the path
 * out and says so; the list itself is never lost to it.
 */
export async function addOuPaths(
  ctx: ToolContext,
  directory: AccountDirectory,
  accounts: readonly DirectoryAccount[],
  limit: number,
): Promise<{ accounts: DirectoryAccount[]; notes: string[] }> {
  if (directory.source !== 'organizations' || !directory.readIn)
    return { accounts: [...accounts], notes: [] };
  const where: AccountScope =
    directory.readIn === (await ctx.account(undefined)).accountId
      ? { accountId: directory.readIn, isOwn: true }
      : { accountId: directory.readIn, isOwn: false };
  const parents = new Map<string, Promise<{ id: string; root: boolean } | undefined>>();
  const ouNames = new Map<string, Promise<string>>();
  const parentOf = (childId: string) => {
    let parent = parents.get(childId);
    if (!parent) {
      parent = ctx.call('organizations:ListParents', { ChildId: childId }, where).then((out) => {
        const first = out.Parents?.[0];
        return first?.Id ? { id: first.Id, root: first.Type === 'ROOT' } : undefined;
      });
      parents.set(childId, parent);
    }
    return parent;
  };
  const ouName = (ouId: string) => {
    let name = ouNames.get(ouId);
    if (!name) {
      name = ctx
        .call('organizations:DescribeOrganizationalUnit', { OrganizationalUnitId: ouId }, where)
        .then((out) => out.OrganizationalUnit?.Name ?? ouId);
      ouNames.set(ouId, name);
    }
    return name;
  };
  const pathOf = async (accountId: string): Promise<string | undefined> => {
    const names: string[] = [];
    let child = accountId;
    for (let depth = 0; depth < MAX_OU_DEPTH; depth++) {
      const parent = await parentOf(child);
      if (!parent) return undefined;
      if (parent.root) return ['Root', ...names].join('/');
      names.unshift(await ouName(parent.id));
      child = parent.id;
    }
    return undefined;
  };

  const paths = new Map<string, string>();
  let failure: string | undefined;
  let late = false;
  const todo = accounts.slice(0, limit);
  await forEachLimited(todo.length, OU_CONCURRENCY, ctx.signal, async (i) => {
    try {
      const path = await pathOf(todo[i].id);
      if (path) paths.set(todo[i].id, path);
    } catch (err) {
      if (err instanceof AwsCallError && err.kind === 'deadline') late = true;
      else failure ??= err instanceof AwsCallError ? err.kind : 'an unexpected error';
    }
  });
  const notes: string[] = [];
  if (failure) notes.push(`Some OU paths are missing: Organizations refused the lookup (${failure}).`);
  if (late || ctx.signal.aborted)
    notes.push('Some OU paths are missing: the tool deadline stopped the lookups.');
  if (accounts.length > limit) {
    notes.push(
      `OU paths are shown for the first ${limit} accounts; narrow the list with search for the others.`,
    );
  }
  return {
    accounts: accounts.map((a) => (paths.has(a.id) ? { ...a, ouPath: paths.get(a.id) } : a)),
    notes,
  };
}

/** One account reference in a call's arguments: where it sits (for messages) and how to replace it. */
interface AccountReference {
  readonly where: string;
  readonly value: string;
  assign(id: string): void;
}

/** The account references of a call: target_account_id, target_account_ids and LINKED_ACCOUNT filter values. */
function referencesIn(args: Record<string, unknown>): {
  next: Record<string, unknown>;
  refs: AccountReference[];
} {
  const next: Record<string, unknown> = { ...args };
  const refs: AccountReference[] = [];
  if (typeof next.target_account_id === 'string') {
    refs.push({
      where: 'target_account_id',
      value: next.target_account_id,
      assign: (id) => (next.target_account_id = id),
    });
  }
  if (Array.isArray(next.target_account_ids)) {
    const list = [...(next.target_account_ids as unknown[])];
    next.target_account_ids = list;
    list.forEach((value, i) => {
      if (typeof value === 'string') {
        refs.push({ where: `target_account_ids[${i}]`, value, assign: (id) => (list[i] = id) });
      }
    });
  }
  if (Array.isArray(next.filters)) {
    next.filters = (next.filters as unknown[]).map((clause, i) => {
      const c = clause as { type?: unknown; key?: unknown; values?: unknown };
      if (c?.type !== 'DIMENSION' || c.key !== 'LINKED_ACCOUNT' || !Array.isArray(c.values)) return clause;
      const values = [...(c.values as unknown[])];
      values.forEach((value, j) => {
        if (typeof value === 'string') {
          refs.push({ where: `filters[${i}].values[${j}]`, value, assign: (id) => (values[j] = id) });
        }
      });
      return { ...c, values };
    });
  }
  return { next, refs };
}

const quoted = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/** The one account `name` denotes: exact match first, then ignoring case; refused when none or several match. */
export function matchAccountName(
  where: string,
  name: string,
  directory: AccountDirectory,
  scope: AccessScope,
): string {
  const named = directory.accounts.filter((a): a is DirectoryAccount & { name: string } => !!a.name);
  let found = named.filter((a) => a.name === name);
  if (found.length === 0) {
    const lower = name.toLowerCase();
    found = named.filter((a) => a.name.toLowerCase() === lower);
  }
  if (found.length === 1) {
    refuseUnseenAccount(found[0].id, quoted(name), where, scope);
    return found[0].id;
  }
  if (found.length > 1) {
    // A scoped caller learns nothing about accounts outside their access but that they exist.
    const shown = visibleAccounts(found, scope);
    const hidden = found.length - shown.length;
    const listed = [
      ...shown.map((a) => `${a.name} (${a.id})`),
      ...(hidden ? [`${hidden} outside your access`] : []),
    ];
    throw new ToolInputError(
      `${where}: ${quoted(name)} names ${found.length} accounts: ${listed.join(', ')}. Pass the account id instead.`,
    );
  }
  if (!directory.source) {
    throw new ToolInputError(
      `${where}: ${quoted(name)} is not a 12-digit account id, and this server knows no account names ` +
        `(${directory.notes.join(' ')}) Pass a 12-digit account id, or ask the operator to set ACCOUNT_NAMES.`,
    );
  }
  throw new ToolInputError(
    `${where}: no account is named ${quoted(name)} (names from ${SOURCE_LABELS[directory.source]}). ` +
      'Call list-accounts for the names and ids, or pass a 12-digit account id.',
  );
}

/**
 * The call's arguments with every account name replaced by its id: target_account_id, target_account_ids and the
 * values of LINKED_ACCOUNT filters. Runs before the target checks and before the tool's own requests: a resolved
 * id then passes those checks like any id, and a name that matches no account, several, or one outside the
 * caller's scope costs nothing more.
 * Arguments holding only ids come back as they are, without reading the directory.
 */
export async function resolveAccountNames(
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<Record<string, unknown>> {
  const { next, refs } = referencesIn(args);
  let directory: AccountDirectory | undefined;
  for (const ref of refs) {
    const value = ref.value.trim();
    if (value === '')
      throw new ToolInputError(`${ref.where}: give a 12-digit account id or an account name.`);
    if (ACCOUNT_ID.test(value)) {
      if (value !== ref.value) ref.assign(value);
      continue;
    }
    directory ??= await loadDirectory(ctx);
    ref.assign(matchAccountName(ref.where, value, directory, ctx.caller.scope));
  }
  return refs.length > 0 ? next : args;
}
