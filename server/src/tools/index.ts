import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { ListToolsRequestSchema, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ANALYSIS_TOOLS } from './analysis-tools';
import { COMPOSITE_TOOLS } from './composite-tools';
import { COST_DATA_TOOLS } from './cost-data-tools';
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
  ...COST_DATA_TOOLS,
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
 * McpServer for each request; handed a raw shape, the SDK would build the input object schema again every time
 * (most of the cost of a cached tools/call, and of its garbage). Handed the object, it keeps it as is. The output
 * schema is converted once, for the listing (see listTools).
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

/** JSON Schema for a zod object as the MCP SDK converts it, without the `$schema` draft URL (in every schema). */
function jsonSchemaOf(schema: z.ZodObject, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _draft, ...json } = toJsonSchemaCompat(schema, { strictUnions: true, pipeStrategy: io });
  return json;
}

/**
 * A JSON Schema without its `additionalProperties: false` members. zod writes one on every output object; in a
 * tool's output schema it only tells a client to reject fields a newer server might add.
 */
function openObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openObjects);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, openObjects(value)]),
  );
}

let listed: readonly Tool[] | undefined;

/**
 * The tools as `tools/list` gives them, built once per process from the first registration: what the SDK's own
 * handler lists (the same fields in the same order, the same conversion of the same zod schemas), less what
 * carries nothing for a client or a model.
 */
function listTools(registered: ReadonlyMap<ToolDefinition, RegisteredTool>): readonly Tool[] {
  listed ??= TOOLS.map((tool) => {
    const { input, output } = schemasOf(tool);
    const sdk = registered.get(tool)!;
    return {
      name: tool.name,
      title: sdk.title,
      description: sdk.description,
      inputSchema: jsonSchemaOf(input, 'input') as Tool['inputSchema'],
      annotations: sdk.annotations,
      execution: sdk.execution,
      _meta: sdk._meta,
      outputSchema: openObjects(jsonSchemaOf(output, 'output')) as Tool['outputSchema'],
    };
  });
  return listed;
}

/**
 * Registers every tool; fan-out tools get `target_account_ids` and the per-account output fields. `tools/list`
 * answers the list built once (see listTools) instead of converting every schema again for each request.
 *
 * The SDK gets each tool's input schema (it validates arguments) but not its output schema, which only the listing
 * carries: given one, the SDK re-parses every answer's structured content against it, about a tenth of the cost of
 * a tools/call answered from the cache, to catch a bug in our own code rather than anything a caller sent. Clients
 * still check it (the MCP SDK client validates structured content against the listed schema, which the end-to-end
 * tests rely on for every tool).
 */
export function registerTools(server: McpServer, deps: ToolDeps): void {
  const registered = new Map<ToolDefinition, RegisteredTool>();
  for (const tool of TOOLS) {
    const sdk = server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: schemasOf(tool).input,
        annotations: { title: tool.title, ...READ_ONLY_ANNOTATIONS },
      },
      (args: Record<string, unknown>) => runTool(tool, args, deps),
    );
    registered.set(tool, sdk);
  }
  // Replaces the handler the SDK installed with the first registerTool (the tools capability it declared stays).
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...listTools(registered)] }));
}
