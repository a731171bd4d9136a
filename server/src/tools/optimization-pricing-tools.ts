import { getComputeOptimizerRecommendationsTool } from './get-compute-optimizer-recommendations';
import type { ToolDefinition } from './types';

/** Compute Optimizer, Cost Optimization Hub, Pricing, Free Tier, Pricing Calculator and Billing Conductor. */
export const OPTIMIZATION_PRICING_TOOLS = [
  getComputeOptimizerRecommendationsTool,
] as unknown as readonly ToolDefinition[];
