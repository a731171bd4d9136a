import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PromptDefinition } from './common';
import { gravitonMigrationAnalysisPrompt } from './graviton-migration-analysis';
import { monthlyCostReviewPrompt } from './monthly-cost-review';
import { savingsPlansAnalysisPrompt } from './savings-plans-analysis';

export type { PromptDefinition } from './common';

/** Prompts that steer a model through the tools for common FinOps questions. */
export const PROMPTS: readonly PromptDefinition[] = [
  monthlyCostReviewPrompt,
  savingsPlansAnalysisPrompt,
  gravitonMigrationAnalysisPrompt,
];

export function registerPrompts(server: McpServer): void {
  for (const prompt of PROMPTS) prompt.register(server);
}
