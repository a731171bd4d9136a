import { z } from 'zod';

/**
 * The length and count limits of the AWS APIs the tools forward values to, so a value AWS would refuse is refused
 * here first: by the tool's input schema, before the handler runs or any paid request is made. Each limit names the
 * API reference field it comes from.
 */
export const AWS_LIMITS = Object.freeze({
  /** Cost Explorer DimensionValues / TagValues / CostCategoryValues `Values` items; GroupDefinition `Key`; TagValues `Key`; GetDimensionValues/GetTags `SearchString`. */
  ceValue: 1024,
  /** Cost Explorer DateInterval `Start` / `End`: at most 40 characters. */
  ceDate: 40,
  /** Cost Explorer CostCategoryValues `Key` (a cost category name, 1–50 characters). */
  ceCostCategoryName: 50,
  /** Cost Explorer GetCostAndUsage `GroupBy`: at most two group definitions. */
  ceGroupBy: 2,
  /** Cost Explorer `Values` per clause: the server's own bound (the API documents none; a longer list is a prompt error). */
  ceValuesPerClause: 500,
  /** Filter clauses per request: the server's own bound on an AND expression (the API documents none). */
  ceClauses: 20,
  /** Cost Explorer GetCostAndUsage `Metrics`: the seven metrics, each at most once. */
  ceMetrics: 7,
  /** Cost Explorer anomaly `MonitorArn` (GetAnomalies): at most 2048 characters. */
  ceArn: 2048,
  /** Pricing GetProducts Filter `Field` and `Value`: at most 1024 characters each. */
  pricingFilterValue: 1024,
  /** A region name (us-east-1, ap-southeast-5): the server's own bound, far above the longest region name. */
  region: 50,
  /** An Organizations account `Name`: 1–50 characters (a 12-digit id is shorter). */
  accountName: 50,
  /** Cost Optimization Hub Filter lists (accountIds, regions, actionTypes, …): at most 100 items. */
  cohFilterItems: 100,
});

/** A string bounded as AWS bounds it, refused with a message naming the parameter and the limit. */
export function boundedString(param: string, max: number): z.ZodString {
  return z.string().max(max, `${param}: at most ${max} characters (the AWS API's limit)`);
}

/** A list bounded as AWS bounds it, refused with a message naming the parameter and the limit. */
export function boundedArray<T extends z.ZodType>(item: T, param: string, max: number): z.ZodArray<T> {
  return z.array(item).max(max, `${param}: at most ${max} items (the AWS API's limit)`);
}
