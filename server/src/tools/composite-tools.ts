import { explainCostChangeTool } from './explain-cost-change';
import { summarizeCostsTool } from './summarize-costs';
import type { ToolDefinition } from './types';

/** One-call answers built from several reads: summarize-costs, explain-cost-change. */
export const COMPOSITE_TOOLS = [
  summarizeCostsTool,
  explainCostChangeTool,
] as unknown as readonly ToolDefinition[];
