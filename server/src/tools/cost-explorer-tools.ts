import { getCostAndUsageTool } from './get-cost-and-usage';
import { getCostAndUsageWithResourcesTool } from './get-cost-and-usage-with-resources';
import { getCostCategoriesTool } from './get-cost-categories';
import { getCostForecastTool } from './get-cost-forecast';
import { getDimensionValuesTool } from './get-dimension-values';
import { getTagValuesTool } from './get-tag-values';
import { getUsageForecastTool } from './get-usage-forecast';
import type { ToolDefinition } from './types';

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
