import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { version } from '../../package.json';
import { PROMPTS, registerPrompts } from './prompts';
import { registerTools, TOOLS } from './tools';
import type { ToolDeps } from './tools/runner';

export const SERVER_NAME = 'billing-mcp';
export const SERVER_VERSION: string = version;

/** The instructions sent with `initialize`: built from the registered tools, so they can only name real ones. */
export function buildInstructions(deps: Pick<ToolDeps, 'config'>): string {
  const { config } = deps;
  const targets =
    config.allowedTargetAccounts === '*'
      ? 'any account in which the member role exists'
      : config.allowedTargetAccounts.length > 0
        ? `these accounts: ${config.allowedTargetAccounts.join(', ')}`
        : 'no other account (only the account the server runs in)';
  return [
    'Answers questions about AWS spend with exact numbers from the AWS billing APIs.',
    `Tools: ${TOOLS.map((t) => t.name).join(', ')}.`,
    'Defaults: periods resolve in UTC and every answer echoes its date range and the date it was computed on; ' +
      'end_date is exclusive; the default metric is UnblendedCost; credits and refunds are excluded unless ' +
      'include_credits_refunds is true; results list the top 25 groups plus an "others" row.',
    'Forecasts (get-cost-forecast, get-usage-forecast) default to the rest of the current month and must start today ' +
      'or later; find exact filter values with get-dimension-values, get-tag-values and get-cost-categories.',
    `Accounts: omit target_account_id for the server's own account; it may also query ${targets}.`,
    'Cost Explorer charges $0.01 per request; answers are cached for ' +
      `${config.cacheTtlSeconds} s (pass refresh: true to bypass) and each answer states the requests it made.`,
  ].join('\n');
}

/** Most array elements plus object members one tools/call `arguments` may hold. */
export const MAX_TOOL_INPUT_ELEMENTS = 2_000;

let schemaValidator: AjvJsonSchemaValidator | undefined;

function sharedSchemaValidator(): AjvJsonSchemaValidator {
  return (schemaValidator ??= new AjvJsonSchemaValidator());
}

/** A new MCP server with every tool registered. Stateless HTTP creates one per request. */
export function createServer(deps: ToolDeps): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, ...(PROMPTS.length ? { prompts: {} } : {}) },
      instructions: buildInstructions(deps),
      // Refused before schema validation: otherwise a 10,000-element array of bad values gets one error line per
      // element (a 30 KB request drew a 670 KB answer in the fuzz suite). Real calls stay far below this.
      maxToolInputElements: MAX_TOOL_INPUT_ELEMENTS,
      // One validator for the process: by default every McpServer builds its own Ajv (with formats), which is
      // most of the cost of the per-request server the stateless transport needs, for a feature (elicitation)
      // this server never uses.
      jsonSchemaValidator: sharedSchemaValidator(),
    },
  );
  registerTools(server, deps);
  registerPrompts(server);
  return server;
}
