import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { useServer } from './harness';
import {
  allowedBytes,
  budgetProblems,
  measureToolsList,
  PER_TOOL_CAP_BYTES,
  sizeOf,
  TOOLS_AT_BUDGET,
  TOOLS_LIST_BUDGET_BYTES,
} from './tools-list-size';

// Issue 10, item 2: tools/list fits 64 KB, and every tool added since it first did takes no more than the average
// tool of that day.

const { server } = useServer();

/** A tool whose list entry is `bytes` long (the description pads it). */
function fakeTool(name: string, bytes: number): Tool {
  const tool = { name, description: '', inputSchema: { type: 'object' } } as Tool;
  tool.description = 'd'.repeat(bytes - Buffer.byteLength(JSON.stringify(tool)));
  return tool;
}

const existing = [...TOOLS_AT_BUDGET];

test('the check passes a list within the budget with an added tool at the cap (control)', () => {
  const tools = [...existing.map((n) => fakeTool(n, 1500)), fakeTool('get-new-figures', PER_TOOL_CAP_BYTES)];
  const size = sizeOf({ tools }, 0);
  expect(size.tools.at(-1)!.bytes).toBe(PER_TOOL_CAP_BYTES);
  expect(budgetProblems(size)).toEqual([]);
});

test('an added tool at the cap may take the list past 64 KB by that cap, and not a byte more (control)', () => {
  // The tools of that day fill the budget exactly, less the list's own brackets and commas.
  const overhead = '{"tools":[]}'.length + existing.length;
  const each = Math.floor((TOOLS_LIST_BUDGET_BYTES - overhead) / existing.length);
  const tools = [...existing.map((n) => fakeTool(n, each)), fakeTool('get-new-figures', PER_TOOL_CAP_BYTES)];
  const size = sizeOf({ tools }, 0);
  expect(size.resultBytes).toBeGreaterThan(TOOLS_LIST_BUDGET_BYTES);
  expect(allowedBytes(size)).toBe(TOOLS_LIST_BUDGET_BYTES + PER_TOOL_CAP_BYTES);
  expect(budgetProblems(size)).toEqual([]);
  const grown = [fakeTool(existing[0], each + TOOLS_LIST_BUDGET_BYTES), ...tools.slice(1)];
  expect(budgetProblems(sizeOf({ tools: grown }, 0))).toEqual([
    `tools/list is ${sizeOf({ tools: grown }, 0).resultBytes} bytes, over the budget of ${allowedBytes(size)}`,
  ]);
});

test('the check fails a list over the budget (negative control)', () => {
  const tools = existing.map((n) => fakeTool(n, 2100));
  expect(budgetProblems(sizeOf({ tools }, 0))).toEqual([
    `tools/list is ${sizeOf({ tools }, 0).resultBytes} bytes, over the budget of ${TOOLS_LIST_BUDGET_BYTES}`,
  ]);
});

test('the check fails an added tool over the cap, even in a list within the budget (negative control)', () => {
  // A tool of that day may stay over the average: only tools added since are held to it.
  const tools = [
    fakeTool(existing[0], PER_TOOL_CAP_BYTES + 500),
    ...existing.slice(1).map((n) => fakeTool(n, 1000)),
    fakeTool('get-new-figures', PER_TOOL_CAP_BYTES + 1),
  ];
  const size = sizeOf({ tools }, 0);
  expect(size.resultBytes).toBeLessThan(TOOLS_LIST_BUDGET_BYTES);
  expect(budgetProblems(size)).toEqual([
    `get-new-figures takes ${PER_TOOL_CAP_BYTES + 1} bytes, over the cap of ${PER_TOOL_CAP_BYTES} for a tool added ` +
      'since the budget was met',
  ]);
});

test('the measurement reads the bundled server: every tool, sizes that add up', async () => {
  const size = await measureToolsList(server().url);
  expect(size.tools.length).toBeGreaterThan(20);
  const tools = size.tools.reduce((n, t) => n + t.bytes, 0);
  // The result is the tools plus `{"tools":[` … `]}` and the commas between them.
  expect(size.resultBytes).toBe(tools + '{"tools":[]}'.length + size.tools.length - 1);
});

test('tools/list as the server sends it fits 64 KB, and every tool added since takes at most the cap', async () => {
  const size = await measureToolsList(server().url);
  // Every tool of that day is still listed: a renamed one would otherwise escape the cap as a new tool.
  expect(existing.filter((n) => !size.tools.some((t) => t.name === n))).toEqual([]);
  expect(budgetProblems(size)).toEqual([]);
  expect(size.resultBytes).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
});
