import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { PROMPTS, registerPrompts } from '../prompts';
import { TOOLS } from '../tools';
import type { ToolDeps } from '../tools/lib/runner';
import { buildInstructions, SERVER_NAME, SERVER_VERSION } from './instructions';
import { registerTools } from './tools';

/** Most array elements plus object members one tools/call `arguments` may hold. */
export const MAX_TOOL_INPUT_ELEMENTS = 2_000;

let schemaValidator: AjvJsonSchemaValidator | undefined;

function sharedSchemaValidator(): AjvJsonSchemaValidator {
  return (schemaValidator ??= new AjvJsonSchemaValidator());
}

const instructionsByConfig = new WeakMap<ToolDeps['config'], string>();

/** A new MCP server with every tool and prompt registered. Stateless HTTP creates one per request. */
export function createServer(deps: ToolDeps): McpServer {
  let instructions = instructionsByConfig.get(deps.config);
  if (instructions === undefined) {
    instructions = buildInstructions(
      deps.config,
      TOOLS.map((t) => t.name),
    );
    instructionsByConfig.set(deps.config, instructions);
  }
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, ...(PROMPTS.length ? { prompts: {} } : {}) },
      instructions,
      // Refused before schema validation: otherwise a 10,000-element array of bad values gets one error line per
      // element (a 30 KB request drew a 670 KB answer in the fuzz suite). Real calls stay far below this.
      maxToolInputElements: MAX_TOOL_INPUT_ELEMENTS,
      // One validator for the process: by default every McpServer builds its own Ajv (with formats), which is
      // most of the cost of the per-request server the stateless transport needs.
      jsonSchemaValidator: sharedSchemaValidator(),
    },
  );
  registerTools(server, deps);
  registerPrompts(server);
  return server;
}
