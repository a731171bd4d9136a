import { compareCostsTool } from './compare-costs';
import { explainCostChangeTool } from './explain-cost-change';
import { getAnomaliesTool } from './get-anomalies';
import { getBillingGroupCostReportTool } from './get-billing-group-cost-report';
import { getBudgetsTool } from './get-budgets';
import { getComputeOptimizerRecommendationsTool } from './get-compute-optimizer-recommendations';
import { getCostAndUsageTool } from './get-cost-and-usage';
import { getCostAndUsageWithResourcesTool } from './get-cost-and-usage-with-resources';
import { getCostCategoriesTool } from './get-cost-categories';
import { getCostDriversTool } from './get-cost-drivers';
import { getCostForecastTool } from './get-cost-forecast';
import { getDimensionValuesTool } from './get-dimension-values';
import { getFreeTierUsageTool } from './get-free-tier-usage';
import { getPurchaseRecommendationsTool } from './get-purchase-recommendations';
import { getRecommendationDetailsTool } from './get-recommendation-details';
import { getReservationCoverageTool } from './get-reservation-coverage';
import { getReservationUtilizationTool } from './get-reservation-utilization';
import { getSavingsPlansCoverageTool } from './get-savings-plans-coverage';
import { getSavingsPlansUtilizationTool } from './get-savings-plans-utilization';
import { getServicePricingTool } from './get-service-pricing';
import { getStorageMetricsTool } from './get-storage-metrics';
import { getTopResourcesTool } from './get-top-resources';
import { getTagValuesTool } from './get-tag-values';
import { getUsageForecastTool } from './get-usage-forecast';
import { listAccountsTool } from './list-accounts';
import { listBillingGroupsTool } from './list-billing-groups';
import { listCostOptimizationRecommendationsTool } from './list-cost-optimization-recommendations';
import { listCustomLineItemsTool } from './list-custom-line-items';
import { listPricingAttributesTool } from './list-pricing-attributes';
import { listPricingRulesAndPlansTool } from './list-pricing-rules-and-plans';
import { listWorkloadEstimatesTool } from './list-workload-estimates';
import { queryCostDataTool } from './query-cost-data';
import { summarizeCostsTool } from './summarize-costs';
import type { ToolDefinition } from './lib/types';

// Every tool the server offers, one file each. Registration with the MCP SDK is mcp/tools.ts's job.

/** One-call answers built from several reads: summarize-costs, explain-cost-change. */
export const COMPOSITE_TOOLS = [
  summarizeCostsTool,
  explainCostChangeTool,
] as unknown as readonly ToolDefinition[];

/** The accounts and their names (Organizations, else Cost Explorer, else ACCOUNT_NAMES). */
export const ACCOUNT_TOOLS = [listAccountsTool] as unknown as readonly ToolDefinition[];

/** Cost and usage, dimensions, tags, cost categories and forecasts (Cost Explorer). */
export const COST_EXPLORER_TOOLS = [
  getCostAndUsageTool,
  getCostAndUsageWithResourcesTool,
  getDimensionValuesTool,
  getTagValuesTool,
  getCostCategoriesTool,
  getCostForecastTool,
  getUsageForecastTool,
] as unknown as readonly ToolDefinition[];

/** Comparisons, cost drivers, anomalies, budgets, reservations and Savings Plans, purchase recommendations. */
export const ANALYSIS_TOOLS = [
  compareCostsTool,
  getCostDriversTool,
  getAnomaliesTool,
  getBudgetsTool,
  getReservationCoverageTool,
  getReservationUtilizationTool,
  getSavingsPlansCoverageTool,
  getSavingsPlansUtilizationTool,
  getPurchaseRecommendationsTool,
] as unknown as readonly ToolDefinition[];

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

/** FOCUS 1.2 cost data and S3 Storage Lens metrics, through Athena or the embedded DuckDB engine. */
export const COST_DATA_TOOLS = [
  queryCostDataTool,
  getTopResourcesTool,
  getStorageMetricsTool,
] as unknown as readonly ToolDefinition[];

/** Every tool the server offers, in the order clients list them. */
export const TOOLS: readonly ToolDefinition[] = [
  ...COMPOSITE_TOOLS,
  ...ACCOUNT_TOOLS,
  ...COST_EXPLORER_TOOLS,
  ...ANALYSIS_TOOLS,
  ...OPTIMIZATION_PRICING_TOOLS,
  ...COST_DATA_TOOLS,
];
