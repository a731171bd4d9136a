import type { AwsOperation } from '../aws/actions';
import { AccessRefused, type AccessScope, describeScope } from './policy';

/**
 * How each catalogued operation is kept inside a caller's account scope. The gateway applies this to every request
 * before it looks at the cache or sends anything, so no tool can forget it:
 * - `public`: no account data (price lists, the server's own identity);
 * - `ce-filter`: Cost Explorer data that may cover other accounts (a management account's): a LINKED_ACCOUNT
 *   clause listing the scope is AND-ed into the request's filter;
 * - `queried-account`: data of the queried account that cannot be filtered by account (budgets, recommendations,
 *   anomalies, free tier, estimates): allowed only when the queried account itself is in the scope (a management
 *   account listed in a scope therefore shows what it shows, e.g. its organization-wide budgets);
 * - `linked-recommendation`: purchase recommendations, per account only with AccountScope LINKED; organization-wide
 *   (PAYER) ones cannot be restricted and are refused;
 * - `unrestrictable`: Billing Conductor data (billing groups span accounts, no account filter): refused;
 * - `sql-scoped`: Athena queries over FOCUS data, which the cost-data tools build with the scope's accounts as a
 *   SubAccountId predicate (tools/lib/cost-data.ts `accountList`, which the DuckDB engine, reaching no gateway, also
 *   goes through); the SQL is ours, so there is nothing left to add here;
 * - `directory`: the organization's account list and OU names (Organizations), which name accounts and cannot be
 *   filtered by account: sent as asked, and what reaches the caller is cut to the scope with {@link visibleAccounts}
 *   (list-accounts); a name a caller passes resolves against the whole list, and an account outside the scope is
 *   refused by {@link refuseUnseenAccount} without its id (the caller learns only that the name exists).
 */
export type ScopeRule =
  | 'public'
  | 'ce-filter'
  | 'queried-account'
  | 'linked-recommendation'
  | 'unrestrictable'
  | 'sql-scoped'
  | 'directory';

/** The rule of every operation; the type makes a new catalogue entry choose one. */
export const SCOPE_RULES: Readonly<Record<AwsOperation, ScopeRule>> = {
  'sts:GetCallerIdentity': 'public',
  'athena:StartQueryExecution': 'sql-scoped',
  'athena:GetQueryExecution': 'sql-scoped',
  'athena:GetQueryResults': 'sql-scoped',
  'athena:StopQueryExecution': 'sql-scoped',
  'ce:GetCostAndUsage': 'ce-filter',
  'ce:GetCostAndUsageWithResources': 'ce-filter',
  'ce:GetDimensionValues': 'ce-filter',
  'ce:GetTags': 'ce-filter',
  'ce:GetCostCategories': 'ce-filter',
  'ce:GetCostForecast': 'ce-filter',
  'ce:GetUsageForecast': 'ce-filter',
  'ce:GetCostAndUsageComparisons': 'ce-filter',
  'ce:GetCostComparisonDrivers': 'ce-filter',
  'ce:GetReservationCoverage': 'ce-filter',
  'ce:GetReservationUtilization': 'ce-filter',
  'ce:GetSavingsPlansCoverage': 'ce-filter',
  'ce:GetSavingsPlansUtilization': 'ce-filter',
  'ce:GetSavingsPlansUtilizationDetails': 'ce-filter',
  'ce:GetAnomalies': 'queried-account',
  'ce:GetAnomalyMonitors': 'queried-account',
  'ce:GetReservationPurchaseRecommendation': 'linked-recommendation',
  'ce:GetSavingsPlansPurchaseRecommendation': 'linked-recommendation',
  'budgets:DescribeBudgets': 'queried-account',
  'compute-optimizer:GetEC2InstanceRecommendations': 'queried-account',
  'compute-optimizer:GetAutoScalingGroupRecommendations': 'queried-account',
  'compute-optimizer:GetEBSVolumeRecommendations': 'queried-account',
  'compute-optimizer:GetLambdaFunctionRecommendations': 'queried-account',
  'compute-optimizer:GetECSServiceRecommendations': 'queried-account',
  'compute-optimizer:GetRDSDatabaseRecommendations': 'queried-account',
  'compute-optimizer:GetIdleRecommendations': 'queried-account',
  'cost-optimization-hub:ListRecommendations': 'queried-account',
  'cost-optimization-hub:ListRecommendationSummaries': 'queried-account',
  'cost-optimization-hub:GetRecommendation': 'queried-account',
  'pricing:GetProducts': 'public',
  'pricing:DescribeServices': 'public',
  'pricing:GetAttributeValues': 'public',
  'freetier:GetFreeTierUsage': 'queried-account',
  'bcm-pricing-calculator:ListWorkloadEstimates': 'queried-account',
  'bcm-pricing-calculator:GetWorkloadEstimate': 'queried-account',
  'bcm-pricing-calculator:ListWorkloadEstimateUsage': 'queried-account',
  'billingconductor:ListBillingGroups': 'unrestrictable',
  'billingconductor:ListAccountAssociations': 'unrestrictable',
  'billingconductor:GetBillingGroupCostReport': 'unrestrictable',
  'billingconductor:ListBillingGroupCostReports': 'unrestrictable',
  'billingconductor:ListPricingRules': 'unrestrictable',
  'billingconductor:ListPricingPlans': 'unrestrictable',
  'billingconductor:ListPricingRulesAssociatedToPricingPlan': 'unrestrictable',
  'billingconductor:ListCustomLineItems': 'unrestrictable',
  'organizations:DescribeOrganization': 'directory',
  'organizations:ListAccounts': 'directory',
  'organizations:ListParents': 'directory',
  'organizations:DescribeOrganizationalUnit': 'directory',
};

/**
 * Refuses an account a caller named (by name, not id) that lies outside their scope, without saying its id: the
 * refusal tells them no more than that the name exists. Does nothing for an account within the scope.
 */
export function refuseUnseenAccount(
  accountId: string,
  named: string,
  where: string,
  scope: AccessScope,
): void {
  if (scope.accounts === '*' || scope.accounts.includes(accountId)) return;
  throw new AccessRefused(
    `Refused: ${where} ${named} is an account outside your access, which is limited to ${describeScope(scope)} ` +
      `(groups: ${scope.grantedBy.join(', ')}).`,
  );
}

/** The accounts of a listing that a caller may see: all of them for `*`, else those of the scope. */
export function visibleAccounts<T extends { readonly id: string }>(
  accounts: readonly T[],
  scope: AccessScope,
): T[] {
  if (scope.accounts === '*') return [...accounts];
  const allowed = new Set(scope.accounts);
  return accounts.filter((a) => allowed.has(a.id));
}

/** Why an unrestrictable operation is refused, for the caller. */
export function unrestrictableReason(operation: AwsOperation): string {
  return operation.startsWith('billingconductor:')
    ? 'Billing Conductor data (billing groups, their cost reports, pricing rules and custom line items) spans ' +
        'accounts and cannot be limited to yours'
    : `${operation} cannot be limited to your accounts`;
}

interface Expression {
  readonly And?: Expression[];
  readonly Dimensions?: { Key?: string; Values?: string[]; MatchOptions?: string[] };
  readonly [key: string]: unknown;
}

/** The restricted request, and whether a filter was added. */
export interface Restricted<I> {
  readonly input: I;
  readonly filtered: boolean;
}

/**
 * Applies the caller's scope to one request in `accountId`: returns the request unchanged for `*` and public
 * operations, with a LINKED_ACCOUNT clause AND-ed in for Cost Explorer, or throws AccessRefused.
 */
export function restrictRequest<I>(
  operation: AwsOperation,
  input: I,
  accountId: string,
  scope: AccessScope,
): Restricted<I> {
  const accounts = scope.accounts;
  const rule = SCOPE_RULES[operation];
  if (accounts === '*' || rule === 'public' || rule === 'sql-scoped' || rule === 'directory') {
    return { input, filtered: false };
  }
  const yours = `your access is limited to ${describeScope(scope)}`;
  switch (rule) {
    case 'unrestrictable':
      throw new AccessRefused(`Refused: ${unrestrictableReason(operation)}, and ${yours}.`);
    case 'linked-recommendation': {
      const level = (input as { AccountScope?: string }).AccountScope ?? 'PAYER';
      if (level !== 'LINKED') {
        throw new AccessRefused(
          `Refused: organization-wide (PAYER) purchase recommendations cannot be limited to your accounts, and ` +
            `${yours}. Ask for account_scope LINKED in one of your accounts.`,
        );
      }
      return inQueriedAccount(input, operation, accountId, accounts, yours);
    }
    case 'queried-account':
      return inQueriedAccount(input, operation, accountId, accounts, yours);
    case 'ce-filter':
      return { input: withLinkedAccounts(input, accounts, yours), filtered: true };
  }
}

function inQueriedAccount<I>(
  input: I,
  operation: AwsOperation,
  accountId: string,
  accounts: readonly string[],
  yours: string,
): Restricted<I> {
  if (!accounts.includes(accountId)) {
    throw new AccessRefused(
      `Refused: ${operation} in account ${accountId} answers with that account's data (which cannot be filtered ` +
        `by account), and ${yours}. Pass target_account_id with one of them.`,
    );
  }
  return { input, filtered: false };
}

function withLinkedAccounts<I>(input: I, accounts: readonly string[], yours: string): I {
  const request = input as { Filter?: Expression };
  const existing = request.Filter;
  const dims = existing?.Dimensions;
  const onlyLinked =
    existing &&
    Object.keys(existing).length === 1 &&
    dims?.Key === 'LINKED_ACCOUNT' &&
    (dims.MatchOptions === undefined ||
      (dims.MatchOptions.length === 1 && dims.MatchOptions[0] === 'EQUALS'));
  let filter: Expression;
  if (onlyLinked) {
    // A LINKED_ACCOUNT include list alone is intersected (some APIs, e.g. utilization, take no And).
    const kept = (dims.Values ?? []).filter((a) => accounts.includes(a));
    if (kept.length === 0) {
      throw new AccessRefused(
        `Refused: the LINKED_ACCOUNT filter names only accounts outside your scope (${yours}).`,
      );
    }
    filter = { Dimensions: { Key: 'LINKED_ACCOUNT', Values: kept, MatchOptions: ['EQUALS'] } };
  } else {
    const clause: Expression = {
      Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...accounts], MatchOptions: ['EQUALS'] },
    };
    filter = existing ? { And: [existing, clause] } : clause;
  }
  return { ...(input as object), Filter: filter } as I;
}
