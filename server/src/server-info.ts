// What the server says about itself in `initialize`. A dependency-free module: the front (main.ts, http.ts,
// front.ts) answers `initialize` from it before the MCP SDK and zod are loaded, and server.ts gives the same values
// to the SDK's McpServer, so both paths announce the same server.
import { version } from '../../package.json';
import type { ServerConfig } from './config';

export const SERVER_NAME = 'billing-mcp';
export const SERVER_VERSION: string = version;

/**
 * The MCP SDK's `LATEST_PROTOCOL_VERSION` and `SUPPORTED_PROTOCOL_VERSIONS` (`@modelcontextprotocol/sdk/types.js`),
 * copied because that module loads zod. test/server/server-info.test.ts holds them equal to the SDK's own, so an
 * SDK upgrade that changes them fails the tests until they are copied again.
 */
export const LATEST_PROTOCOL_VERSION = '2025-11-25';
/** See {@link LATEST_PROTOCOL_VERSION}. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = Object.freeze([
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
]);

/**
 * The capabilities the McpServer of server.ts announces: tools and prompts, each with `listChanged`, which the SDK
 * adds when tools or prompts are registered. test/e2e/front.test.ts holds the front's answer to the SDK's.
 */
export const SERVER_CAPABILITIES = Object.freeze({
  tools: Object.freeze({ listChanged: true }),
  prompts: Object.freeze({ listChanged: true }),
});

/**
 * The names of the tools (tools/index.ts `TOOLS`), in their order, for the instructions the front sends before the
 * tools themselves (with their zod schemas) are loaded. test/server/server-info.test.ts holds it equal to `TOOLS`.
 */
export const TOOL_NAMES: readonly string[] = Object.freeze([
  'summarize-costs',
  'explain-cost-change',
  'get-cost-and-usage',
  'get-cost-and-usage-with-resources',
  'get-dimension-values',
  'get-tag-values',
  'get-cost-categories',
  'get-cost-forecast',
  'get-usage-forecast',
  'compare-costs',
  'get-cost-drivers',
  'get-anomalies',
  'get-budgets',
  'get-reservation-coverage',
  'get-reservation-utilization',
  'get-savings-plans-coverage',
  'get-savings-plans-utilization',
  'get-purchase-recommendations',
  'get-compute-optimizer-recommendations',
  'list-cost-optimization-recommendations',
  'get-recommendation-details',
  'get-service-pricing',
  'list-pricing-attributes',
  'get-free-tier-usage',
  'list-workload-estimates',
  'list-billing-groups',
  'get-billing-group-cost-report',
  'list-pricing-rules-and-plans',
  'list-custom-line-items',
]);

/** The instructions sent with `initialize`: they name the given tools, so they can only name real ones. */
export function buildInstructions(
  config: Pick<ServerConfig, 'allowedTargetAccounts' | 'cacheTtlSeconds'>,
  toolNames: readonly string[],
): string {
  const targets =
    config.allowedTargetAccounts === '*'
      ? 'any account in which the member role exists'
      : config.allowedTargetAccounts.length > 0
        ? `these accounts: ${config.allowedTargetAccounts.join(', ')}`
        : 'no other account (only the account the server runs in)';
  return [
    'Answers questions about AWS spend with exact numbers from the AWS billing APIs.',
    `Tools: ${toolNames.join(', ')}.`,
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
