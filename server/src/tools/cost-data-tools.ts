import { getStorageMetricsTool } from './get-storage-metrics';
import { getTopResourcesTool } from './get-top-resources';
import { queryCostDataTool } from './query-cost-data';
import type { ToolDefinition } from './types';

/** The tools over the FOCUS 1.2 export and the Storage Lens export (Athena or the embedded DuckDB engine). */
export const COST_DATA_TOOLS = [
  queryCostDataTool,
  getTopResourcesTool,
  getStorageMetricsTool,
] as unknown as readonly ToolDefinition[];
