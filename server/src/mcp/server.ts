import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { PROMPTS, registerPrompts } from '../prompts';
import { TOOLS } from '../tools';
import type { Caller } from '../access/caller';
import type { ToolDeps } from '../tools/lib/runner';
import { buildInstructions, SERVER_NAME, SERVER_VERSION } from './instructions';
import { registerTools } from './tools';

/** Most array elements plus object members one tools/call `arguments` may hold. */
export const MAX_TOOL_INPUT_ELEMENTS = 2_000;

let ajv: AjvJsonSchemaValidator | undefined;

/**
 * One validator for the process, built at its first use. The SDK's server uses it only to check elicitation
 * answers, which this server never asks for, so building Ajv (with its formats) up front would cost every cold
 * start's first request for nothing.
 */
const sharedSchemaValidator: jsonSchemaValidator = {
  getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema),
};

const instructionsByConfig = new WeakMap<ToolDeps['config'], string>();

/**
 * A new MCP server with every tool and prompt registered. Stateless HTTP creates one per request, so `caller` (who
 * sent this request, when verified) is fixed for its tool calls.
 */
export function createServer(deps: ToolDeps, caller?: Caller): McpServer {
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
      // By default every McpServer builds its own Ajv (with formats), which is most of the cost of the
      // per-request server the stateless transport needs.
      jsonSchemaValidator: sharedSchemaValidator,
    },
  );
  registerTools(server, deps, caller);
  registerPrompts(server);
  return server;
}
