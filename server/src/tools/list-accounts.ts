import { z } from 'zod';
import { visibleAccounts } from '../access/enforce';
import { table } from '../billing/format';
import {
  ACCOUNT_DIRECTORY_OPERATIONS,
  addOuPaths,
  loadDirectory,
  SOURCE_LABELS,
  type DirectoryAccount,
} from './lib/accounts';
import { AWS_LIMITS, boundedString } from './lib/bounds';
import { refresh } from './lib/params';
import { defineTool } from './lib/types';

/** Accounts one answer lists at most (the text budget holds about as many table rows). */
const MAX_LISTED = 200;
/** Accounts whose OU path one answer looks up at most: one ListParents each, plus one pair per OU. */
const MAX_OU_PATHS = 100;

/** list-accounts: the accounts of the organization with their names, for picking a target_account_id. */
export const listAccountsTool = defineTool({
  name: 'list-accounts',
  title: 'List accounts',
  description:
    'Accounts with id, name, email domain, status and OU path. Names (from Organizations, else Cost Explorer, else ' +
    'ACCOUNT_NAMES) work wherever an account id does.',
  inputSchema: {
    search: boundedString('search', AWS_LIMITS.accountName)
      .optional()
      .describe('Only accounts whose name or id contains this (any case).'),
    refresh,
  },
  outputSchema: {
    source: z.string(),
    accounts: z.array(z.looseObject({ id: z.string(), name: z.string().optional() })),
  },
  operations: ACCOUNT_DIRECTORY_OPERATIONS,
  async handler(args, ctx) {
    const directory = await loadDirectory(ctx);
    const wanted = args.search?.trim().toLowerCase();
    const matching = visibleAccounts(directory.accounts, ctx.caller.scope).filter(
      (a) => !wanted || a.id.includes(wanted) || a.name?.toLowerCase().includes(wanted),
    );
    const listed = matching.slice(0, MAX_LISTED);
    const { accounts, notes: pathNotes } = await addOuPaths(ctx, directory, listed, MAX_OU_PATHS);
    const notes = [...directory.notes, ...pathNotes];
    if (matching.length > listed.length) {
      notes.push(`Showing ${listed.length} of ${matching.length} accounts; narrow the list with search.`);
    }
    const source = directory.source ?? 'none';
    // Where the list was read (the management account, often) is said only to callers who may see that account.
    const readIn =
      directory.readIn && visibleAccounts([{ id: directory.readIn }], ctx.caller.scope).length > 0
        ? directory.readIn
        : undefined;
    const where = readIn ? `, read in ${readIn}` : '';
    const what = `${matching.length} account${matching.length === 1 ? '' : 's'}${wanted ? ` matching "${args.search}"` : ''}`;
    const lines = [
      directory.source
        ? `**${what}** (names from ${SOURCE_LABELS[directory.source]}${where}).`
        : `**${what}, without names**: no source names accounts on this server.`,
    ];
    if (accounts.length > 0) {
      lines.push('', accountTable(accounts));
    } else if (wanted) {
      lines.push('No account matches; call list-accounts without search for all of them.');
    }
    return {
      text: lines.join('\n'),
      data: {
        source,
        accounts: accounts.map((a) => ({
          id: a.id,
          ...(a.name ? { name: a.name } : {}),
          ...(a.emailDomain ? { email_domain: a.emailDomain } : {}),
          ...(a.status ? { status: a.status } : {}),
          ...(a.ouPath ? { ou_path: a.ouPath } : {}),
        })),
        notes,
      },
    };
  },
});

/** The accounts as a table with only the columns some account fills. */
function accountTable(accounts: readonly DirectoryAccount[]): string {
  const columns: [string, (a: DirectoryAccount) => string | undefined][] = [
    ['Account', (a) => a.id],
    ['Name', (a) => a.name],
    ['Email domain', (a) => a.emailDomain],
    ['Status', (a) => a.status],
    ['OU path', (a) => a.ouPath],
  ];
  const used = columns.filter(([, cell], i) => i === 0 || accounts.some((a) => cell(a)));
  return table(
    used.map(([header]) => header),
    accounts.map((a) => used.map(([, cell]) => cell(a) ?? '')),
  );
}
