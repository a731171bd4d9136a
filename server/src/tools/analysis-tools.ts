import type { ToolDefinition } from './types';

/** Comparisons, cost drivers, anomalies, budgets, reservations and Savings Plans, purchase recommendations. */
export const ANALYSIS_TOOLS = [] as unknown as readonly ToolDefinition[];
