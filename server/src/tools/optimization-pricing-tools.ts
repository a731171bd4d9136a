import { getBillingGroupCostReportTool } from './get-billing-group-cost-report';
import { getComputeOptimizerRecommendationsTool } from './get-compute-optimizer-recommendations';
import { getFreeTierUsageTool } from './get-free-tier-usage';
import { getRecommendationDetailsTool } from './get-recommendation-details';
import { getServicePricingTool } from './get-service-pricing';
import { listBillingGroupsTool } from './list-billing-groups';
import { listCostOptimizationRecommendationsTool } from './list-cost-optimization-recommendations';
import { listCustomLineItemsTool } from './list-custom-line-items';
import { listPricingAttributesTool } from './list-pricing-attributes';
import { listPricingRulesAndPlansTool } from './list-pricing-rules-and-plans';
import { listWorkloadEstimatesTool } from './list-workload-estimates';
import type { ToolDefinition } from './types';

/** Compute Optimizer, Cost Optimization Hub, Pricing, Free Tier, Pricing Calculator and Billing Conductor. */
export const OPTIMIZATION_PRICING_TOOLS = [
  getComputeOptimizerRecommendationsTool,
  listCostOptimizationRecommendationsTool,
  getRecommendationDetailsTool,
  getServicePricingTool,
  listPricingAttributesTool,
  getFreeTierUsageTool,
  listWorkloadEstimatesTool,
  listBillingGroupsTool,
  getBillingGroupCostReportTool,
  listPricingRulesAndPlansTool,
  listCustomLineItemsTool,
] as unknown as readonly ToolDefinition[];
