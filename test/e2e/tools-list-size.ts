import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** The most bytes the whole `tools/list` result may take, as the server sends it (issue 10). */
export const TOOLS_LIST_BUDGET_BYTES = 64 * 1024;

/**
 * The tool count when the budget was set. Every tool added later must stay within the average of that day, so the
 * list as a whole keeps to the budget: {@link TOOLS_LIST_BUDGET_BYTES} / this.
 */
export const TOOL_COUNT_AT_BUDGET = 29;

/** The average a tool may take: the budget spread over the tools there were when it was set. */
export const PER_TOOL_CAP_BYTES = Math.floor(TOOLS_LIST_BUDGET_BYTES / TOOL_COUNT_AT_BUDGET);

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

/** Problems with a list against the budget: over the total, or a tool over the per-tool average cap. */
export function budgetProblems(size: ToolsListSize): string[] {
  const problems: string[] = [];
  if (size.resultBytes > TOOLS_LIST_BUDGET_BYTES)
    problems.push(`tools/list is ${size.resultBytes} bytes, over the budget of ${TOOLS_LIST_BUDGET_BYTES}`);
  const average = size.resultBytes / Math.max(size.tools.length, 1);
  if (average > PER_TOOL_CAP_BYTES)
    problems.push(
      `tools/list averages ${Math.round(average)} bytes a tool, over the cap of ${PER_TOOL_CAP_BYTES} ` +
        `(${TOOLS_LIST_BUDGET_BYTES} / ${TOOL_COUNT_AT_BUDGET} tools)`,
    );
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
