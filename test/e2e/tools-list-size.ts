import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** The most bytes the whole `tools/list` result may take, as the server sends it (issue 10). */
export const TOOLS_LIST_BUDGET_BYTES = 64 * 1024;

/** The tools there were when the list first met the budget (2026-12-02: 33 tools, 65,239 bytes). */
export const TOOLS_AT_BUDGET: ReadonlySet<string> = new Set([
  'compare-costs',
  'explain-cost-change',
  'get-anomalies',
  'get-billing-group-cost-report',
  'get-budgets',
  'get-compute-optimizer-recommendations',
  'get-cost-and-usage',
  'get-cost-and-usage-with-resources',
  'get-cost-categories',
  'get-cost-drivers',
  'get-cost-forecast',
  'get-dimension-values',
  'get-free-tier-usage',
  'get-purchase-recommendations',
  'get-recommendation-details',
  'get-reservation-coverage',
  'get-reservation-utilization',
  'get-savings-plans-coverage',
  'get-savings-plans-utilization',
  'get-service-pricing',
  'get-storage-metrics',
  'get-tag-values',
  'get-top-resources',
  'get-usage-forecast',
  'list-accounts',
  'list-billing-groups',
  'list-cost-optimization-recommendations',
  'list-custom-line-items',
  'list-pricing-attributes',
  'list-pricing-rules-and-plans',
  'list-workload-estimates',
  'query-cost-data',
  'summarize-costs',
]);

/**
 * The most a tool added since may take: the average of those tools on that day (65,239 / 33 bytes), so the list
 * grows per tool no faster than it was when it fitted. The tools of that day keep their own sizes; the total holds them.
 */
export const PER_TOOL_CAP_BYTES = 1976;

/** What one tool takes in the list: the whole entry, and its input and output schemas alone. */
export interface ToolSize {
  readonly name: string;
  readonly bytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
}

/** The size of a `tools/list` answer: the JSON-RPC result's bytes as sent, and each tool's share. */
export interface ToolsListSize {
  /** Bytes of the JSON-RPC `result` member, serialized as the server sent it (UTF-8). */
  readonly resultBytes: number;
  /** Bytes of the whole HTTP response body (the JSON-RPC envelope included). */
  readonly bodyBytes: number;
  readonly tools: readonly ToolSize[];
}

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Sizes a `tools/list` result the way it travels (each tool measured as the JSON the server wrote). */
export function sizeOf(result: { tools: readonly Tool[] }, bodyBytes: number): ToolsListSize {
  return {
    resultBytes: bytesOf(result),
    bodyBytes,
    tools: result.tools.map((t) => ({
      name: t.name,
      bytes: bytesOf(t),
      inputBytes: bytesOf(t.inputSchema),
      outputBytes: t.outputSchema === undefined ? 0 : bytesOf(t.outputSchema),
    })),
  };
}

/**
 * What the whole list may take: the budget, plus the cap for each tool added since the budget was met, so the list
 * grows by at most that day's average per tool and never by more.
 */
export function allowedBytes(size: ToolsListSize): number {
  const added = size.tools.filter((t) => !TOOLS_AT_BUDGET.has(t.name)).length;
  return TOOLS_LIST_BUDGET_BYTES + added * PER_TOOL_CAP_BYTES;
}

/** Problems with a list against the budget: over the total, or a tool added since the budget was met over the cap. */
export function budgetProblems(size: ToolsListSize): string[] {
  const problems: string[] = [];
  const allowed = allowedBytes(size);
  if (size.resultBytes > allowed)
    problems.push(`tools/list is ${size.resultBytes} bytes, over the budget of ${allowed}`);
  for (const tool of size.tools) {
    if (!TOOLS_AT_BUDGET.has(tool.name) && tool.bytes > PER_TOOL_CAP_BYTES)
      problems.push(
        `${tool.name} takes ${tool.bytes} bytes, over the cap of ${PER_TOOL_CAP_BYTES} for a tool added since ` +
          `the budget was met`,
      );
  }
  return problems;
}

/**
 * Asks a running server for `tools/list` over plain HTTP (stateless: no session to open first) and sizes the
 * answer as it arrived: the server answers JSON, so the result's bytes are those of the parsed `result` written
 * back compactly, which is how the SDK serializes it.
 */
export async function measureToolsList(url: string): Promise<ToolsListSize> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`tools/list answered ${response.status}: ${body.slice(0, 200)}`);
  const parsed = JSON.parse(body) as { result?: { tools: Tool[] } };
  if (!parsed.result) throw new Error(`tools/list answered no result: ${body.slice(0, 200)}`);
  return sizeOf(parsed.result, Buffer.byteLength(body, 'utf8'));
}
