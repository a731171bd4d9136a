/**
 * Request and response types of every catalogued operation, so that `gateway.call('ce:GetCostAndUsage', …)`
 * is checked against the SDK's own shapes. Type-only imports: nothing here is loaded at run time.
 */
import type * as CE from '@aws-sdk/client-cost-explorer';
import type * as STS from '@aws-sdk/client-sts';
import type * as Budgets from '@aws-sdk/client-budgets';
import type * as CO from '@aws-sdk/client-compute-optimizer';
import type * as COH from '@aws-sdk/client-cost-optimization-hub';
import type * as Pricing from '@aws-sdk/client-pricing';
import type * as BC from '@aws-sdk/client-billingconductor';
import type * as Athena from '@aws-sdk/client-athena';
import type * as Org from '@aws-sdk/client-organizations';
import type { AwsOperation } from './actions';
import type * as FreeTier from './json-services/free-tier-types';
import type * as Calculator from './json-services/pricing-calculator-types';

type Op<I, O> = { input: I; output: O };

/** Input and output shapes, keyed by catalogue operation. */
export interface OperationShapes {
  'sts:GetCallerIdentity': Op<STS.GetCallerIdentityCommandInput, STS.GetCallerIdentityCommandOutput>;

  'ce:GetCostAndUsage': Op<CE.GetCostAndUsageCommandInput, CE.GetCostAndUsageCommandOutput>;
  'ce:GetCostAndUsageWithResources': Op<
    CE.GetCostAndUsageWithResourcesCommandInput,
    CE.GetCostAndUsageWithResourcesCommandOutput
  >;
  'ce:GetDimensionValues': Op<CE.GetDimensionValuesCommandInput, CE.GetDimensionValuesCommandOutput>;
  'ce:GetTags': Op<CE.GetTagsCommandInput, CE.GetTagsCommandOutput>;
  'ce:GetCostCategories': Op<CE.GetCostCategoriesCommandInput, CE.GetCostCategoriesCommandOutput>;
  'ce:GetCostForecast': Op<CE.GetCostForecastCommandInput, CE.GetCostForecastCommandOutput>;
  'ce:GetUsageForecast': Op<CE.GetUsageForecastCommandInput, CE.GetUsageForecastCommandOutput>;
  'ce:GetCostAndUsageComparisons': Op<
    CE.GetCostAndUsageComparisonsCommandInput,
    CE.GetCostAndUsageComparisonsCommandOutput
  >;
  'ce:GetCostComparisonDrivers': Op<
    CE.GetCostComparisonDriversCommandInput,
    CE.GetCostComparisonDriversCommandOutput
  >;
  'ce:GetAnomalies': Op<CE.GetAnomaliesCommandInput, CE.GetAnomaliesCommandOutput>;
  'ce:GetAnomalyMonitors': Op<CE.GetAnomalyMonitorsCommandInput, CE.GetAnomalyMonitorsCommandOutput>;
  'ce:GetReservationCoverage': Op<
    CE.GetReservationCoverageCommandInput,
    CE.GetReservationCoverageCommandOutput
  >;
  'ce:GetReservationUtilization': Op<
    CE.GetReservationUtilizationCommandInput,
    CE.GetReservationUtilizationCommandOutput
  >;
  'ce:GetReservationPurchaseRecommendation': Op<
    CE.GetReservationPurchaseRecommendationCommandInput,
    CE.GetReservationPurchaseRecommendationCommandOutput
  >;
  'ce:GetSavingsPlansCoverage': Op<
    CE.GetSavingsPlansCoverageCommandInput,
    CE.GetSavingsPlansCoverageCommandOutput
  >;
  'ce:GetSavingsPlansUtilization': Op<
    CE.GetSavingsPlansUtilizationCommandInput,
    CE.GetSavingsPlansUtilizationCommandOutput
  >;
  'ce:GetSavingsPlansUtilizationDetails': Op<
    CE.GetSavingsPlansUtilizationDetailsCommandInput,
    CE.GetSavingsPlansUtilizationDetailsCommandOutput
  >;
  'ce:GetSavingsPlansPurchaseRecommendation': Op<
    CE.GetSavingsPlansPurchaseRecommendationCommandInput,
    CE.GetSavingsPlansPurchaseRecommendationCommandOutput
  >;

  'budgets:DescribeBudgets': Op<Budgets.DescribeBudgetsCommandInput, Budgets.DescribeBudgetsCommandOutput>;

  'compute-optimizer:GetEC2InstanceRecommendations': Op<
    CO.GetEC2InstanceRecommendationsCommandInput,
    CO.GetEC2InstanceRecommendationsCommandOutput
  >;
  'compute-optimizer:GetAutoScalingGroupRecommendations': Op<
    CO.GetAutoScalingGroupRecommendationsCommandInput,
    CO.GetAutoScalingGroupRecommendationsCommandOutput
  >;
  'compute-optimizer:GetEBSVolumeRecommendations': Op<
    CO.GetEBSVolumeRecommendationsCommandInput,
    CO.GetEBSVolumeRecommendationsCommandOutput
  >;
  'compute-optimizer:GetLambdaFunctionRecommendations': Op<
    CO.GetLambdaFunctionRecommendationsCommandInput,
    CO.GetLambdaFunctionRecommendationsCommandOutput
  >;
  'compute-optimizer:GetECSServiceRecommendations': Op<
    CO.GetECSServiceRecommendationsCommandInput,
    CO.GetECSServiceRecommendationsCommandOutput
  >;
  'compute-optimizer:GetRDSDatabaseRecommendations': Op<
    CO.GetRDSDatabaseRecommendationsCommandInput,
    CO.GetRDSDatabaseRecommendationsCommandOutput
  >;
  'compute-optimizer:GetIdleRecommendations': Op<
    CO.GetIdleRecommendationsCommandInput,
    CO.GetIdleRecommendationsCommandOutput
  >;

  'cost-optimization-hub:ListRecommendations': Op<
    COH.ListRecommendationsCommandInput,
    COH.ListRecommendationsCommandOutput
  >;
  'cost-optimization-hub:ListRecommendationSummaries': Op<
    COH.ListRecommendationSummariesCommandInput,
    COH.ListRecommendationSummariesCommandOutput
  >;
  'cost-optimization-hub:GetRecommendation': Op<
    COH.GetRecommendationCommandInput,
    COH.GetRecommendationCommandOutput
  >;

  'pricing:GetProducts': Op<Pricing.GetProductsCommandInput, Pricing.GetProductsCommandOutput>;
  'pricing:DescribeServices': Op<Pricing.DescribeServicesCommandInput, Pricing.DescribeServicesCommandOutput>;
  'pricing:GetAttributeValues': Op<
    Pricing.GetAttributeValuesCommandInput,
    Pricing.GetAttributeValuesCommandOutput
  >;

  'freetier:GetFreeTierUsage': Op<FreeTier.GetFreeTierUsageInput, FreeTier.GetFreeTierUsageOutput>;

  'bcm-pricing-calculator:ListWorkloadEstimates': Op<
    Calculator.ListWorkloadEstimatesInput,
    Calculator.ListWorkloadEstimatesOutput
  >;
  'bcm-pricing-calculator:GetWorkloadEstimate': Op<
    Calculator.GetWorkloadEstimateInput,
    Calculator.GetWorkloadEstimateOutput
  >;
  'bcm-pricing-calculator:ListWorkloadEstimateUsage': Op<
    Calculator.ListWorkloadEstimateUsageInput,
    Calculator.ListWorkloadEstimateUsageOutput
  >;

  'billingconductor:ListBillingGroups': Op<
    BC.ListBillingGroupsCommandInput,
    BC.ListBillingGroupsCommandOutput
  >;
  'billingconductor:ListAccountAssociations': Op<
    BC.ListAccountAssociationsCommandInput,
    BC.ListAccountAssociationsCommandOutput
  >;
  'billingconductor:GetBillingGroupCostReport': Op<
    BC.GetBillingGroupCostReportCommandInput,
    BC.GetBillingGroupCostReportCommandOutput
  >;
  'billingconductor:ListBillingGroupCostReports': Op<
    BC.ListBillingGroupCostReportsCommandInput,
    BC.ListBillingGroupCostReportsCommandOutput
  >;
  'billingconductor:ListPricingRules': Op<BC.ListPricingRulesCommandInput, BC.ListPricingRulesCommandOutput>;
  'billingconductor:ListPricingPlans': Op<BC.ListPricingPlansCommandInput, BC.ListPricingPlansCommandOutput>;
  'billingconductor:ListPricingRulesAssociatedToPricingPlan': Op<
    BC.ListPricingRulesAssociatedToPricingPlanCommandInput,
    BC.ListPricingRulesAssociatedToPricingPlanCommandOutput
  >;
  'billingconductor:ListCustomLineItems': Op<
    BC.ListCustomLineItemsCommandInput,
    BC.ListCustomLineItemsCommandOutput
  >;

  'organizations:DescribeOrganization': Op<
    Org.DescribeOrganizationCommandInput,
    Org.DescribeOrganizationCommandOutput
  >;
  'organizations:ListAccounts': Op<Org.ListAccountsCommandInput, Org.ListAccountsCommandOutput>;
  'organizations:ListParents': Op<Org.ListParentsCommandInput, Org.ListParentsCommandOutput>;
  'organizations:DescribeOrganizationalUnit': Op<
    Org.DescribeOrganizationalUnitCommandInput,
    Org.DescribeOrganizationalUnitCommandOutput
  >;

  'athena:StartQueryExecution': Op<
    Athena.StartQueryExecutionCommandInput,
    Athena.StartQueryExecutionCommandOutput
  >;
  'athena:GetQueryExecution': Op<Athena.GetQueryExecutionCommandInput, Athena.GetQueryExecutionCommandOutput>;
  'athena:GetQueryResults': Op<Athena.GetQueryResultsCommandInput, Athena.GetQueryResultsCommandOutput>;
  'athena:StopQueryExecution': Op<
    Athena.StopQueryExecutionCommandInput,
    Athena.StopQueryExecutionCommandOutput
  >;
}

// Fails to compile when the catalogue and this table disagree.
type Missing = Exclude<AwsOperation, keyof OperationShapes>;
type Extra = Exclude<keyof OperationShapes, AwsOperation>;
export const shapesCoverCatalogue: [Missing, Extra] extends [never, never] ? true : never = true;

export type InputOf<O extends AwsOperation> = OperationShapes[O]['input'];
export type OutputOf<O extends AwsOperation> = Omit<OperationShapes[O]['output'], '$metadata'>;
