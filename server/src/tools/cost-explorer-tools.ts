import { getCostAndUsageTool } from './get-cost-and-usage';
import type { ToolDefinition } from './types';

/** Cost and usage, dimensions, tags, cost categories and forecasts (Cost Explorer). */
export const COST_EXPLORER_TOOLS = [getCostAndUsageTool] as unknown as readonly ToolDefinition[];
