// What the server says about itself in `initialize`: its name, version and instructions.
import { version } from '../../../package.json';
import type { ServerConfig } from '../config';

export const SERVER_NAME = 'billing-mcp';
export const SERVER_VERSION: string = version;

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
    'Cost data (query-cost-data, get-top-resources, get-storage-metrics) reads the FOCUS 1.2 and S3 Storage Lens ' +
      'exports when configured: every account in one query, BilledCost by default, credits excluded unless ' +
      'include_credits is true; each answer states the bytes scanned.',
    `Accounts: omit target_account_id for the server's own account; it may also query ${targets}. Accounts may ` +
      'be named instead of given by id: list-accounts lists the names.',
    'Cost Explorer charges $0.01 per request; answers are cached for ' +
      `${config.cacheTtlSeconds} s (pass refresh: true to bypass) and each answer states the requests it made.`,
  ].join('\n');
}
