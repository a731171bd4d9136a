/**
 * The one catalogue of AWS API operations the server may call.
 *
 * Every call the tools make goes through the gateway, which only accepts an operation named here, and the IAM
 * policies of the execution role and of the member role are generated from the same list. This module is pure
 * data with no imports so that the CDK app (`lib/`, `cross-account/`) can depend on it without pulling in the
 * server.
 */

/** How one API operation is authorised and billed. */
export interface OperationSpec {
  /** The IAM actions a caller needs for this operation (the API's own action first). */
  readonly iam: readonly string[];
  /** True where AWS charges per request (Cost Explorer: $0.01 per request, each page separately). */
  readonly paid?: boolean;
  /**
   * `cost-data`: an Athena operation of the cost-data tools. Its IAM actions are not in the account-wide
   * read-only policy: the cost-data stack grants them on the one workgroup (with {@link ATHENA_QUERY_ACCESS} on
   * the one database, table and prefixes), and member accounts never get them.
   */
  readonly scope?: 'cost-data';
  /**
   * Never answered from the answer cache nor shared with an identical call in flight: each call starts, polls or
   * stops one query execution. The query's rows are cached instead (by SQL and parameters).
   */
  readonly uncached?: boolean;
  /**
   * Changes state in AWS. Only StartQueryExecution and StopQueryExecution may (a test pins the list): a query
   * execution is the one thing the server creates, and it reads billing data.
   */
  readonly mutating?: boolean;
}

/** Operations keyed as `<service>:<ApiOperationName>`. Every one of them is a read. */
export const AWS_OPERATIONS = {
  'sts:GetCallerIdentity': { iam: ['sts:GetCallerIdentity'] },

  'ce:GetCostAndUsage': { iam: ['ce:GetCostAndUsage'], paid: true },
  'ce:GetCostAndUsageWithResources': { iam: ['ce:GetCostAndUsageWithResources'], paid: true },
  'ce:GetDimensionValues': { iam: ['ce:GetDimensionValues'], paid: true },
  'ce:GetTags': { iam: ['ce:GetTags'], paid: true },
  'ce:GetCostCategories': { iam: ['ce:GetCostCategories'], paid: true },
  'ce:GetCostForecast': { iam: ['ce:GetCostForecast'], paid: true },
  'ce:GetUsageForecast': { iam: ['ce:GetUsageForecast'], paid: true },
  'ce:GetCostAndUsageComparisons': { iam: ['ce:GetCostAndUsageComparisons'], paid: true },
  'ce:GetCostComparisonDrivers': { iam: ['ce:GetCostComparisonDrivers'], paid: true },
  'ce:GetAnomalies': { iam: ['ce:GetAnomalies'], paid: true },
  'ce:GetAnomalyMonitors': { iam: ['ce:GetAnomalyMonitors'], paid: true },
  'ce:GetReservationCoverage': { iam: ['ce:GetReservationCoverage'], paid: true },
  'ce:GetReservationUtilization': { iam: ['ce:GetReservationUtilization'], paid: true },
  'ce:GetReservationPurchaseRecommendation': { iam: ['ce:GetReservationPurchaseRecommendation'], paid: true },
  'ce:GetSavingsPlansCoverage': { iam: ['ce:GetSavingsPlansCoverage'], paid: true },
  'ce:GetSavingsPlansUtilization': { iam: ['ce:GetSavingsPlansUtilization'], paid: true },
  'ce:GetSavingsPlansUtilizationDetails': { iam: ['ce:GetSavingsPlansUtilizationDetails'], paid: true },
  'ce:GetSavingsPlansPurchaseRecommendation': {
    iam: ['ce:GetSavingsPlansPurchaseRecommendation'],
    paid: true,
  },

  'budgets:DescribeBudgets': { iam: ['budgets:ViewBudget'] },

  'compute-optimizer:GetEC2InstanceRecommendations': {
    iam: ['compute-optimizer:GetEC2InstanceRecommendations', 'ec2:DescribeInstances'],
  },
  'compute-optimizer:GetAutoScalingGroupRecommendations': {
    iam: ['compute-optimizer:GetAutoScalingGroupRecommendations', 'autoscaling:DescribeAutoScalingGroups'],
  },
  'compute-optimizer:GetEBSVolumeRecommendations': {
    iam: ['compute-optimizer:GetEBSVolumeRecommendations', 'ec2:DescribeVolumes'],
  },
  'compute-optimizer:GetLambdaFunctionRecommendations': {
    iam: ['compute-optimizer:GetLambdaFunctionRecommendations', 'lambda:ListFunctions'],
  },
  'compute-optimizer:GetECSServiceRecommendations': {
    iam: ['compute-optimizer:GetECSServiceRecommendations', 'ecs:ListServices', 'ecs:ListClusters'],
  },
  'compute-optimizer:GetRDSDatabaseRecommendations': {
    iam: [
      'compute-optimizer:GetRDSDatabaseRecommendations',
      'rds:DescribeDBInstances',
      'rds:DescribeDBClusters',
    ],
  },
  'compute-optimizer:GetIdleRecommendations': { iam: ['compute-optimizer:GetIdleRecommendations'] },

  'cost-optimization-hub:ListRecommendations': { iam: ['cost-optimization-hub:ListRecommendations'] },
  'cost-optimization-hub:ListRecommendationSummaries': {
    iam: ['cost-optimization-hub:ListRecommendationSummaries'],
  },
  'cost-optimization-hub:GetRecommendation': { iam: ['cost-optimization-hub:GetRecommendation'] },

  'pricing:GetProducts': { iam: ['pricing:GetProducts'] },
  'pricing:DescribeServices': { iam: ['pricing:DescribeServices'] },
  'pricing:GetAttributeValues': { iam: ['pricing:GetAttributeValues'] },

  'freetier:GetFreeTierUsage': { iam: ['freetier:GetFreeTierUsage'] },

  'bcm-pricing-calculator:ListWorkloadEstimates': { iam: ['bcm-pricing-calculator:ListWorkloadEstimates'] },
  'bcm-pricing-calculator:GetWorkloadEstimate': { iam: ['bcm-pricing-calculator:GetWorkloadEstimate'] },
  'bcm-pricing-calculator:ListWorkloadEstimateUsage': {
    iam: ['bcm-pricing-calculator:ListWorkloadEstimateUsage'],
  },

  'billingconductor:ListBillingGroups': { iam: ['billingconductor:ListBillingGroups'] },
  'billingconductor:ListAccountAssociations': { iam: ['billingconductor:ListAccountAssociations'] },
  'billingconductor:GetBillingGroupCostReport': { iam: ['billingconductor:GetBillingGroupCostReport'] },
  'billingconductor:ListBillingGroupCostReports': { iam: ['billingconductor:ListBillingGroupCostReports'] },
  'billingconductor:ListPricingRules': { iam: ['billingconductor:ListPricingRules'] },
  'billingconductor:ListPricingPlans': { iam: ['billingconductor:ListPricingPlans'] },
  'billingconductor:ListPricingRulesAssociatedToPricingPlan': {
    iam: ['billingconductor:ListPricingRulesAssociatedToPricingPlan'],
  },
  'billingconductor:ListCustomLineItems': { iam: ['billingconductor:ListCustomLineItems'] },

  // The account directory (list-accounts, account names): free, global (us-east-1), answered in full only by the
  // management account or a delegated administrator; DescribeOrganization answers from any member account.
  'organizations:DescribeOrganization': { iam: ['organizations:DescribeOrganization'] },
  'organizations:ListAccounts': { iam: ['organizations:ListAccounts'] },
  'organizations:ListParents': { iam: ['organizations:ListParents'] },
  'organizations:DescribeOrganizationalUnit': { iam: ['organizations:DescribeOrganizationalUnit'] },

  'athena:StartQueryExecution': {
    iam: ['athena:StartQueryExecution'],
    scope: 'cost-data',
    uncached: true,
    mutating: true,
  },
  'athena:GetQueryExecution': { iam: ['athena:GetQueryExecution'], scope: 'cost-data', uncached: true },
  'athena:GetQueryResults': { iam: ['athena:GetQueryResults'], scope: 'cost-data', uncached: true },
  'athena:StopQueryExecution': {
    iam: ['athena:StopQueryExecution'],
    scope: 'cost-data',
    uncached: true,
    mutating: true,
  },
} as const satisfies Record<string, OperationSpec>;

/** The name of an operation in the catalogue, e.g. `ce:GetCostAndUsage`. */
export type AwsOperation = keyof typeof AWS_OPERATIONS;

/** The service part of an operation name, e.g. `ce`. */
export type AwsService = AwsOperation extends `${infer S}:${string}` ? S : never;

/** All operations, in catalogue order. */
export const ALL_OPERATIONS = Object.keys(AWS_OPERATIONS) as AwsOperation[];

/** The sorted, de-duplicated IAM actions needed by the given operations. */
export function iamActionsFor(operations: readonly AwsOperation[]): string[] {
  return [...new Set(operations.flatMap((op) => AWS_OPERATIONS[op].iam))].sort();
}

/** The Athena operations of the cost-data tools, granted on one workgroup only. */
export const COST_DATA_OPERATIONS = ALL_OPERATIONS.filter(
  (op) => (AWS_OPERATIONS[op] as OperationSpec).scope === 'cost-data',
);

/**
 * Every IAM action the account-wide read-only policy grants (resource `*`): what the execution role and member
 * roles get. The cost-data operations are not among them (see {@link COST_DATA_OPERATIONS}).
 */
export const BILLING_READ_ONLY_ACTIONS: readonly string[] = Object.freeze(
  iamActionsFor(ALL_OPERATIONS.filter((op) => (AWS_OPERATIONS[op] as OperationSpec).scope !== 'cost-data')),
);

/**
 * What Athena does with the caller's own permissions while a query started by StartQueryExecution runs: it reads
 * the table definition from Glue, reads the export's objects, and writes (then the server reads back) the results
 * in the workgroup's output location. Each list is granted on its own resources only (lib/cost-data-stack.ts).
 */
export const ATHENA_QUERY_ACCESS = {
  /** On the Glue catalog, the database and the tables. */
  glue: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
  /** On the export bucket (ListBucket conditioned on the prefix). */
  dataBucket: ['s3:GetBucketLocation', 's3:ListBucket'],
  /** On the export's objects under its prefix. */
  dataObjects: ['s3:GetObject'],
  /** On the results bucket. */
  resultsBucket: ['s3:GetBucketLocation', 's3:ListBucket'],
  /** On the result objects under the workgroup's output prefix. */
  resultsObjects: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
} as const;

/**
 * The shared answer cache's table operations (SHARED_CACHE_TABLE). Kept apart from {@link AWS_OPERATIONS}: tools
 * never call them, PutItem is the one write the server makes, and the policy grants both on that one table only
 * (never on `*`, never in member roles).
 */
export const SHARED_CACHE_OPERATIONS = {
  'dynamodb:GetItem': { iam: ['dynamodb:GetItem'] },
  'dynamodb:PutItem': { iam: ['dynamodb:PutItem'] },
} as const satisfies Record<string, OperationSpec>;

/** The IAM actions the execution role holds on the shared cache table, and nothing else on it. */
export const SHARED_CACHE_ACTIONS: readonly string[] = Object.freeze(
  [...new Set(Object.values(SHARED_CACHE_OPERATIONS).flatMap((spec) => spec.iam))].sort(),
);
