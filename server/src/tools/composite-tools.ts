import type { ToolDefinition } from './types';

/** One-call answers built from several reads: summarize-costs, explain-cost-change. */
export const COMPOSITE_TOOLS = [] as unknown as readonly ToolDefinition[];
