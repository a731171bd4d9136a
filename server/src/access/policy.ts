import { ToolInputError } from '../billing/errors';
import type { Caller } from './caller';

/** A group (or `@service`) → `*` or the account ids its members may see. */
export type AccessPolicy = Readonly<Record<string, '*' | readonly string[]>>;

/** The access-policy key of the client-credentials (service) identity. */
export const SERVICE_KEY = '@service';

/**
 * The accounts one call may see. `accounts: '*'` is no restriction beyond the server's own allowed targets; a list
 * restricts every request to those accounts (Cost Explorer requests get a LINKED_ACCOUNT clause AND-ed in).
 * Tools read it as `ctx.caller.scope` (e.g. an Athena tool adds `SubAccountId IN (…)` for a list).
 */
export interface AccessScope {
  readonly accounts: '*' | readonly string[];
  /** The policy keys that granted it (groups, or `@service`); empty without a policy. */
  readonly grantedBy: readonly string[];
}

/** No policy configured: today's behaviour, the server's allowed accounts for everyone. */
export const UNRESTRICTED: AccessScope = Object.freeze({ accounts: '*', grantedBy: Object.freeze([]) });

/** A call refused by the access policy; the message says why and what to ask for. */
export class AccessRefused extends ToolInputError {
  constructor(message: string) {
    super(message);
    this.name = 'AccessRefused';
  }
}

/**
 * Parses ACCESS_POLICY. Returns the policy, or a sentence saying what is wrong (for the config error).
 */
export function parseAccessPolicy(raw: string): AccessPolicy | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'ACCESS_POLICY must be a JSON object, e.g. {"finance":"*","team-a":["222222222222"],"@service":"*"}';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'ACCESS_POLICY must be a JSON object mapping group names (and "@service") to "*" or account id lists';
  }
  const policy: Record<string, '*' | readonly string[]> = {};
  for (const [group, scope] of Object.entries(value as Record<string, unknown>)) {
    if (scope === '*') policy[group] = '*';
    else if (Array.isArray(scope) && scope.every((id) => typeof id === 'string' && /^\d{12}$/.test(id))) {
      policy[group] = Object.freeze([...new Set(scope as string[])]);
    } else {
      return `ACCESS_POLICY group ${JSON.stringify(group)} must map to "*" or a list of 12-digit account ids`;
    }
  }
  return Object.freeze(policy);
}

/** How a scope reads in answers and refusals. */
export function describeScope(scope: AccessScope): string {
  if (scope.accounts === '*') return 'all accounts this server may query';
  return scope.accounts.length ? `accounts ${scope.accounts.join(', ')}` : 'no accounts';
}

/** Who a caller is, in words for a refusal. */
function who(caller: Caller): string {
  return caller.kind === 'user'
    ? `user ${caller.username}`
    : `client ${caller.clientId ?? caller.sub ?? '?'}`;
}

/**
 * The scope of a caller under a policy: the union of its groups' scopes (`*` if any is), `@service` for a
 * client-credentials token (default `*`: the server's allowed accounts, as without a policy).
 * @throws AccessRefused when a policy is set and the caller is unknown, in no listed group, or granted no account
 */
export function scopeFor(policy: AccessPolicy | undefined, caller: Caller | undefined): AccessScope {
  if (!policy) return UNRESTRICTED;
  if (!caller) {
    throw new AccessRefused(
      'This server gives each caller only the accounts of their groups, and this request carries no verified ' +
        'caller identity (no bearer token reached the server). Connect through the deployed endpoint with user or ' +
        'service authentication.',
    );
  }
  if (caller.kind === 'service') {
    const accounts = policy[SERVICE_KEY] ?? '*';
    return Object.freeze({ accounts, grantedBy: Object.freeze([SERVICE_KEY]) });
  }
  const matched = caller.groups.filter((g) => g !== SERVICE_KEY && Object.hasOwn(policy, g));
  if (matched.length === 0) {
    const groups = Object.keys(policy).filter((g) => g !== SERVICE_KEY);
    throw new AccessRefused(
      `No access: ${who(caller)} is in none of the groups this server's access policy lists ` +
        `(your groups: ${caller.groups.length ? caller.groups.join(', ') : 'none'}; policy groups: ` +
        `${groups.join(', ')}). Ask your administrator to add you to one of them.`,
    );
  }
  const scopes = matched.map((g) => policy[g]);
  const accounts = scopes.includes('*')
    ? '*'
    : Object.freeze([...new Set(scopes.flatMap((s) => s as readonly string[]))].sort());
  if (accounts !== '*' && accounts.length === 0) {
    throw new AccessRefused(
      `No access: the access policy gives ${who(caller)}'s groups (${matched.join(', ')}) no accounts.`,
    );
  }
  return Object.freeze({ accounts, grantedBy: Object.freeze(matched) });
}
