import type { Expression } from '@aws-sdk/client-cost-explorer';
import { ToolInputError } from './errors';

/** Cost Explorer dimensions accepted in filters and group-bys. */
export const CE_DIMENSIONS = [
  'AZ',
  'INSTANCE_TYPE',
  'LINKED_ACCOUNT',
  'LINKED_ACCOUNT_NAME',
  'OPERATION',
  'PURCHASE_TYPE',
  'REGION',
  'SERVICE',
  'SERVICE_CODE',
  'USAGE_TYPE',
  'USAGE_TYPE_GROUP',
  'RECORD_TYPE',
  'OPERATING_SYSTEM',
  'TENANCY',
  'SCOPE',
  'PLATFORM',
  'SUBSCRIPTION_ID',
  'LEGAL_ENTITY_NAME',
  'DEPLOYMENT_OPTION',
  'DATABASE_ENGINE',
  'CACHE_ENGINE',
  'INSTANCE_TYPE_FAMILY',
  'BILLING_ENTITY',
  'RESERVATION_ID',
  'RESOURCE_ID',
  'RIGHTSIZING_TYPE',
  'SAVINGS_PLANS_TYPE',
  'SAVINGS_PLAN_ARN',
  'PAYMENT_OPTION',
  'INVOICING_ENTITY',
] as const;

export const FILTER_TYPES = ['DIMENSION', 'TAG', 'COST_CATEGORY'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];

/** One filter clause as tools accept it. */
export interface FilterClause {
  type: FilterType;
  key: string;
  values: string[];
  exclude?: boolean;
}

export interface GroupByClause {
  type: FilterType;
  key: string;
}

/** What building a filter did that the answer must say. */
export interface FilterNotes {
  readonly notes: string[];
}

const MAX_VALUES = 500;
/** Cost Explorer's limit on each `Values` item and on `Key` (DimensionValues, TagValues, GroupDefinition). */
export const MAX_VALUE_LENGTH = 1024;

function checkKey(type: FilterType, key: string, where: string): void {
  if (type === 'DIMENSION' && !(CE_DIMENSIONS as readonly string[]).includes(key)) {
    throw new ToolInputError(
      `${where}: "${key.slice(0, 60)}" is not a Cost Explorer dimension. Use one of: ${CE_DIMENSIONS.join(', ')}.`,
    );
  }
  if (key.trim() === '' || key.length > MAX_VALUE_LENGTH) {
    throw new ToolInputError(
      `${where}: key must be a non-empty string of at most ${MAX_VALUE_LENGTH} characters.`,
    );
  }
}

function clauseExpression(clause: FilterClause): Expression {
  switch (clause.type) {
    case 'DIMENSION':
      return { Dimensions: { Key: clause.key as never, Values: clause.values } };
    case 'TAG':
      return { Tags: { Key: clause.key, Values: clause.values } };
    case 'COST_CATEGORY':
      return { CostCategories: { Key: clause.key, Values: clause.values } };
  }
}

export interface BuildFilterOptions {
  /** The account being queried: removed from LINKED_ACCOUNT include clauses (see cleanLinkedAccount). */
  readonly queriedAccountId: string;
  /** Exclude RECORD_TYPE Credit and Refund unless the caller filters on RECORD_TYPE or opts in. */
  readonly excludeCreditsRefunds?: boolean;
}

/**
 * Builds the Cost Explorer filter expression (clauses combined with AND). Two rules the answer reports:
 * - a LINKED_ACCOUNT include clause listing the queried account itself is redundant, and returns nothing when that
 *   account is a management account (which is not its own linked account), so that id is removed, and the clause
 *   dropped when it empties; exclude clauses are never touched;
 * - credits and refunds are excluded by default, because they offset usage and users then see $0.
 */
export function buildFilter(
  clauses: readonly FilterClause[] | undefined,
  options: BuildFilterOptions,
): { filter: Expression | undefined; notes: string[]; creditsRefunds: 'excluded' | 'included' } {
  const notes: string[] = [];
  const expressions: Expression[] = [];
  (clauses ?? []).forEach((clause, i) => {
    const where = `filters[${i}]`;
    checkKey(clause.type, clause.key, where);
    if (clause.values.length === 0)
      throw new ToolInputError(`${where}: values must list at least one value.`);
    if (clause.values.length > MAX_VALUES) {
      throw new ToolInputError(
        `${where}: at most ${MAX_VALUES} values per filter, got ${clause.values.length}.`,
      );
    }
    const long = clause.values.findIndex((v) => v.length > MAX_VALUE_LENGTH);
    if (long >= 0) {
      throw new ToolInputError(
        `${where}.values[${long}]: at most ${MAX_VALUE_LENGTH} characters (Cost Explorer's limit), ` +
          `got ${clause.values[long].length}.`,
      );
    }
    let values = [...new Set(clause.values)];
    if (clause.type === 'DIMENSION' && clause.key === 'LINKED_ACCOUNT' && !clause.exclude) {
      const kept = values.filter((v) => v !== options.queriedAccountId);
      if (kept.length < values.length) {
        notes.push(
          kept.length === 0
            ? `Dropped the LINKED_ACCOUNT filter on ${options.queriedAccountId}: it is the queried account itself, ` +
                `so the filter is redundant (and would return nothing on a management account).`
            : `Removed ${options.queriedAccountId} from the LINKED_ACCOUNT filter: it is the queried account itself ` +
                `(a management account is not its own linked account).`,
        );
        if (kept.length === 0) return;
        values = kept;
      }
    }
    const expression = clauseExpression({ ...clause, values });
    expressions.push(clause.exclude ? { Not: expression } : expression);
  });

  const filtersRecordType = (clauses ?? []).some((c) => c.type === 'DIMENSION' && c.key === 'RECORD_TYPE');
  let creditsRefunds: 'excluded' | 'included' = 'included';
  if (options.excludeCreditsRefunds && !filtersRecordType) {
    expressions.push({ Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } });
    creditsRefunds = 'excluded';
  } else if (options.excludeCreditsRefunds && filtersRecordType) {
    notes.push(
      'Your RECORD_TYPE filter decides which credits and refunds count; the default exclusion was not added.',
    );
  }
  const filter =
    expressions.length === 0 ? undefined : expressions.length === 1 ? expressions[0] : { And: expressions };
  return { filter, notes, creditsRefunds };
}

/** Validates group-by clauses (at most two) and converts them to Cost Explorer's GroupDefinition. */
export function buildGroupBy(
  groupBy: readonly GroupByClause[] | undefined,
): { Type: 'DIMENSION' | 'TAG' | 'COST_CATEGORY'; Key: string }[] | undefined {
  if (!groupBy || groupBy.length === 0) return undefined;
  if (groupBy.length > 2) {
    throw new ToolInputError(
      `group_by takes at most two keys (a Cost Explorer limit), got ${groupBy.length}.`,
    );
  }
  return groupBy.map((g, i) => {
    checkKey(g.type, g.key, `group_by[${i}]`);
    return { Type: g.type, Key: g.key };
  });
}
