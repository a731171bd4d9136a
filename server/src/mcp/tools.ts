import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Caller } from '../access/caller';
import { TOOLS } from '../tools';
import { fanoutInputShape, fanoutToolOutputShape } from '../tools/lib/fanout';
import { runTool, type ToolDeps } from '../tools/lib/runner';
import type { ToolDefinition } from '../tools/lib/types';

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
 * McpServer for each request; handed raw shapes, the SDK would build both object schemas again every time.
 * Handed the objects, it keeps them as they are.
 */
export function schemasOf(tool: ToolDefinition): CompiledSchemas {
  let schemas = compiled.get(tool);
  if (!schemas) {
    schemas = {
      input: z.object(tool.fanout ? fanoutInputShape(tool) : tool.inputSchema),
      // Loose: the schema lists the answer's key fields, and every answer also carries the runner's own (computed_on,
      // api: the AWS requests made and their cost, notes: the caveats), which tools/list cannot afford to spell out.
      output: z.looseObject(tool.fanout ? fanoutToolOutputShape(tool) : tool.outputSchema),
    };
    compiled.set(tool, schemas);
  }
  return schemas;
}

/** Names of the tools the server offers, for the checks made before a request reaches the SDK. */
export const TOOL_NAMES: ReadonlySet<string> = new Set(TOOLS.map((t) => t.name));

/**
 * Registers every tool with its input and output schema: the SDK validates arguments before the handler runs and
 * structured content before the answer leaves; fan-out tools get `target_account_ids` and the per-account fields.
 */
export function registerTools(server: McpServer, deps: ToolDeps, caller?: Caller): void {
  for (const tool of TOOLS) {
    const { input, output } = schemasOf(tool);
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: input,
        outputSchema: output,
        // The title is the tool's own; annotations repeat it only for older clients, which tools/list cannot afford.
        annotations: READ_ONLY_ANNOTATIONS,
      },
      (args: Record<string, unknown>) => runTool(tool, args, deps, caller),
    );
  }
}
