import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ANALYSIS_TOOLS } from './analysis-tools';
import { COMPOSITE_TOOLS } from './composite-tools';
import { COST_EXPLORER_TOOLS } from './cost-explorer-tools';
import { OPTIMIZATION_PRICING_TOOLS } from './optimization-pricing-tools';
import { fanoutInputShape, fanoutToolOutputShape } from './fanout';
import { runTool, type ToolDeps } from './runner';
import { commonOutputShape } from './common';
import type { ToolDefinition } from './types';

/** Every tool the server offers, in the order clients list them. */
export const TOOLS: readonly ToolDefinition[] = [
  ...COMPOSITE_TOOLS,
  ...COST_EXPLORER_TOOLS,
  ...ANALYSIS_TOOLS,
  ...OPTIMIZATION_PRICING_TOOLS,
];

/**
 * Every tool only reads. Amazon Quick sends a tool without readOnlyHint through Action Review as a write action.
 */
export const READ_ONLY_ANNOTATIONS: ToolAnnotations = Object.freeze({
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
});

interface CompiledSchemas {
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
}

const compiled = new WeakMap<ToolDefinition, CompiledSchemas>();

/**
 * A tool's input and output object schemas, built once per process. Stateless HTTP registers every tool on a new
 * McpServer for each request; handed a raw shape, the SDK would build each object schema again every time (most of
 * the cost of a cached tools/call, and of its garbage). Handed the object, it keeps it as is: the same schemas,
 * the same validation, the same tools/list.
 */
function schemasOf(tool: ToolDefinition): CompiledSchemas {
  let schemas = compiled.get(tool);
  if (!schemas) {
    schemas = {
      input: z.object(tool.fanout ? fanoutInputShape(tool) : tool.inputSchema),
      output: z.object({
        ...(tool.fanout ? fanoutToolOutputShape(tool) : tool.outputSchema),
        ...commonOutputShape,
      }),
    };
    compiled.set(tool, schemas);
  }
  return schemas;
}

/** Registers every tool; fan-out tools get `target_account_ids` and the per-account output fields. */
export function registerTools(server: McpServer, deps: ToolDeps): void {
  for (const tool of TOOLS) {
    const { input, output } = schemasOf(tool);
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: input,
        outputSchema: output,
        annotations: { title: tool.title, ...READ_ONLY_ANNOTATIONS },
      },
      (args: Record<string, unknown>) => runTool(tool, args, deps),
    );
  }
}
