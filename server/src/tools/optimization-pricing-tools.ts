import type { ToolDefinition } from './types';

/** Compute Optimizer, Cost Optimization Hub, Pricing, Free Tier, Pricing Calculator and Billing Conductor. */
export const OPTIMIZATION_PRICING_TOOLS = [] as unknown as readonly ToolDefinition[];
