import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Prompts that steer a model through the tools for common FinOps questions. */
export interface PromptDefinition {
  readonly name: string;
  register(server: McpServer): void;
}

export const PROMPTS: readonly PromptDefinition[] = [];

export function registerPrompts(server: McpServer): void {
  for (const prompt of PROMPTS) prompt.register(server);
}
